import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { ASSET_RESOURCE_METADATA_ENABLED_CONTEXT, PATH_METADATA_ENABLE_CONTEXT } from 'aws-cdk-lib/cx-api';
import { describe, expect, it } from 'vitest';
import { AppFunction } from '../../lib/constructs/app-function.js';
import { CampaignController } from '../../lib/constructs/campaign-controller.js';
import { DataTables } from '../../lib/constructs/data-tables.js';
import { MAX_BUNDLE_BYTES, readBundledFunctions } from '../../scripts/bundled-functions.js';
import { logicalIdOf, PROJECT_ROOT } from './idgov-app.js';

const runNode = promisify(execFile);

/** The directory of the one bundled asset of an assembly. */
function bundledAssetDir(assemblyDir: string): string | undefined {
  return readdirSync(assemblyDir)
    .map((name) => join(assemblyDir, name))
    .find((dir) => existsSync(join(dir, 'index.mjs')));
}

describe('AppFunction bundling (local esbuild, no Docker)', () => {
  it('builds an ESM bundle that loads CommonJS dependencies and runs', async () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'idgov-bundle-')) });
    const stack = new Stack(app, 'Bundle');
    const probe = new AppFunction(stack, 'Probe', { entry: 'test/infra/fixtures/bundle-probe-handler.ts' });
    const assembly = app.synth();

    const fn = Template.fromStack(stack).findResources('AWS::Lambda::Function')[logicalIdOf(probe)];
    expect(fn.Properties.Handler).toBe('index.handler');
    expect(fn.Properties.Environment.Variables.NODE_OPTIONS).toBe('--enable-source-maps');
    const assetDir = bundledAssetDir(assembly.directory);
    expect(assetDir).toBeDefined();
    expect(existsSync(join(assetDir!, 'index.mjs.map'))).toBe(true);

    // Run the bundle in a plain Node process, as Lambda would: `import` it and call the handler.
    const { stdout } = await runNode(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        'const { handler } = await import(process.argv[1]); console.log(JSON.stringify(await handler({ filter: "(&(department=Finance)(riskLevel>=HIGH))" })));',
        join(assetDir!, 'index.mjs'),
      ],
      { env: { PATH: process.env.PATH ?? '', POWERTOOLS_SERVICE_NAME: 'probe' } },
    );
    expect(JSON.parse(stdout)).toEqual({
      filter: '(&(department=Finance)(riskLevel>=HIGH))',
      sdkRegion: 'eu-west-1',
      tableEnvVar: 'DIRECTORY_TABLE_NAME',
    });
  });

  it('bundles the campaign controller: production code only, at most 1 MiB, class names kept', async () => {
    const app = new App({
      outdir: mkdtempSync(join(tmpdir(), 'idgov-bundle-')),
      // What the CDK CLI sets: the template names each function's asset folder and construct path.
      context: { [ASSET_RESOURCE_METADATA_ENABLED_CONTEXT]: true, [PATH_METADATA_ENABLE_CONTEXT]: true },
    });
    const stack = new Stack(app, 'Controller');
    const tables = new DataTables(stack, 'Data');
    new CampaignController(stack, 'CampaignController', {
      directoryTable: tables.directoryTable,
      campaignTable: tables.campaignTable,
      operationsTable: tables.operationsTable,
      auditTable: tables.auditTable,
      alarmTopic: new Topic(stack, 'Alarms'),
      sender: { address: 'governance@example.com', configurationSetName: '' },
      approverPortalUrl: 'https://approvals.example.com',
      evidence: { bucket: new Bucket(stack, 'Reports'), signingKey: new Key(stack, 'EvidenceSigning') },
    });
    const [controller, ...others] = readBundledFunctions(app.synth().directory);
    expect(others).toEqual([]);
    expect(controller!.name).toBe('campaign-controller');

    expect(controller!.bytes).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
    // What went into the bundle, as absolute paths: the controller's own files and shared code, nothing of src/.
    const map = JSON.parse(readFileSync(`${controller!.bundlePath}.map`, 'utf8')) as { sources: string[] };
    const sources = map.sources.map((source) => resolve(controller!.assetDir, source));
    const ours = sources.filter((source) => !source.includes('/node_modules/')).map((source) => relative(PROJECT_ROOT, source));
    expect(ours).toContain('lambdas/campaign-controller/handler.ts');
    expect(ours).toContain('lambdas/shared/adapters/lambda-hook-invoker.ts');
    expect(ours.filter((source) => !source.startsWith('lambdas/campaign-controller/') && !source.startsWith('lambdas/shared/'))).toEqual([]);

    // Loads and exports its handler; a refused event throws an error that still says what it is.
    const { stdout } = await runNode(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { handler } = await import(process.argv[1]);
         const error = await handler({ foo: 1 }).then(() => undefined, (e) => e);
         console.log(JSON.stringify({ handler: typeof handler, name: error?.name, constructor: error?.constructor.name, message: error?.message }));`,
        controller!.bundlePath,
      ],
      { env: { PATH: process.env.PATH ?? '' } },
    );
    expect(JSON.parse(stdout)).toEqual({
      handler: 'function',
      name: 'ValidationError',
      constructor: 'ValidationError',
      message: 'event.foo: unknown field',
    });
  });
});
