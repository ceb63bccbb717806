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
import { EvidenceArchiver, ReportChartsFunction } from '../../lib/constructs/evidence-archiver.js';
import { DataTables } from '../../lib/constructs/data-tables.js';
import { MAX_BUNDLE_BYTES, readBundledFunctions, type BundledFunction } from '../../scripts/bundled-functions.js';
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

  // Its timeout bounds a hung build: three esbuild bundles take ~20 s on a quiet 2-core machine, minutes on a busy one.
  it('bundles the campaign controller, the evidence archiver and the chart renderer: production code only, each at most 1 MiB, vega in the chart renderer alone', async () => {
    const app = new App({
      outdir: mkdtempSync(join(tmpdir(), 'idgov-bundle-')),
      // What the CDK CLI sets: the template names each function's asset folder and construct path.
      context: { [ASSET_RESOURCE_METADATA_ENABLED_CONTEXT]: true, [PATH_METADATA_ENABLE_CONTEXT]: true },
    });
    const stack = new Stack(app, 'Controller');
    const tables = new DataTables(stack, 'Data');
    const charts = new ReportChartsFunction(stack, 'RenderReportCharts');
    const evidenceArchiver = new EvidenceArchiver(stack, 'ArchiveEvidence', {
      directoryTable: tables.directoryTable,
      campaignTable: tables.campaignTable,
      auditTable: tables.auditTable,
      evidence: { bucket: new Bucket(stack, 'Reports'), signingKey: new Key(stack, 'EvidenceSigning') },
      charts,
    });
    new CampaignController(stack, 'CampaignController', {
      directoryTable: tables.directoryTable,
      campaignTable: tables.campaignTable,
      operationsTable: tables.operationsTable,
      auditTable: tables.auditTable,
      alarmTopic: new Topic(stack, 'Alarms'),
      sender: { address: 'governance@example.com', configurationSetName: '' },
      approverPortalUrl: 'https://approvals.example.com',
      evidenceArchiver,
    });
    const bundles = readBundledFunctions(app.synth().directory);
    expect(bundles.map((fn) => fn.name).sort()).toEqual(['archive-evidence', 'campaign-controller', 'render-report-charts']);
    const named = (name: string) => bundles.find((fn) => fn.name === name)!;
    /** What went into a bundle: our files (relative to the project) and the packages, from its source map. */
    const sourcesOf = (fn: BundledFunction) => {
      const map = JSON.parse(readFileSync(`${fn.bundlePath}.map`, 'utf8')) as { sources: string[] };
      const sources = map.sources.map((source) => resolve(fn.assetDir, source));
      const packages = new Set(sources.map((source) => /\/node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(source)?.[1]).filter((name): name is string => !!name));
      return { ours: sources.filter((source) => !source.includes('/node_modules/')).map((source) => relative(PROJECT_ROOT, source)), packages };
    };
    for (const fn of bundles) {
      expect(fn.bytes, fn.name).toBeLessThanOrEqual(MAX_BUNDLE_BYTES);
      const { ours } = sourcesOf(fn);
      expect(ours).toContain(`lambdas/${fn.name}/handler.ts`);
      // Its own files and shared code, nothing of src/ nor of another function.
      expect(ours.filter((source) => !source.startsWith(`lambdas/${fn.name}/`) && !source.startsWith('lambdas/shared/')), fn.name).toEqual([]);
    }

    const controllerSources = sourcesOf(named('campaign-controller'));
    expect(controllerSources.ours).toContain('lambdas/shared/adapters/lambda-hook-invoker.ts');
    expect(controllerSources.ours).toContain('lambdas/shared/adapters/lambda-evidence-archiver.ts');
    // The archiver builds and renders the pack: no report renderer, chart, S3 or KMS client in the controller.
    expect(controllerSources.ours.filter((source) => /presenters\/campaign-report|evidence-pack|s3-evidence|kms-evidence/.test(source))).toEqual([]);
    expect([...controllerSources.packages].filter((name) => /^(vega|d3-)|client-s3|client-kms|csv-stringify/.test(name))).toEqual([]);

    const archiverSources = sourcesOf(named('archive-evidence'));
    expect(archiverSources.ours).toEqual(expect.arrayContaining(['lambdas/shared/use-cases/evidence/evidence-pack.ts', 'lambdas/shared/presenters/campaign-report-views.ts', 'lambdas/shared/adapters/lambda-chart-drawer.ts']));
    expect([...archiverSources.packages]).toEqual(expect.arrayContaining(['@aws-sdk/client-s3', '@aws-sdk/client-kms', '@aws-sdk/client-dynamodb', '@aws-sdk/client-lambda']));
    expect([...archiverSources.packages].filter((name) => /^(vega|d3-)/.test(name))).toEqual([]);

    const chartSources = sourcesOf(named('render-report-charts'));
    expect(chartSources.ours).toContain('lambdas/shared/presenters/campaign-report-charts.ts');
    expect(chartSources.packages.has('vega')).toBe(true);
    expect([...chartSources.packages].filter((name) => name.startsWith('@aws-sdk/'))).toEqual([]);

    const controller = named('campaign-controller');
    // Loads and exports its handler; a refused event throws an error that still says what it is.
    const { stdout } = await runNode(
      process.execPath,
      [
        '--input-type=module',
        '-e',
        `const { handler } = await import(process.argv[1]);
         const error = await handler({ foo: 1 }).then(() => undefined, (e) => e);
         console.log(JSON.stringify({ handler: typeof handler, name: error?.name, constructor: error?.constructor.name, message: error?.message }));`,
        controller.bundlePath,
      ],
      { env: { PATH: process.env.PATH ?? '' } },
    );
    expect(JSON.parse(stdout)).toEqual({
      handler: 'function',
      name: 'ValidationError',
      constructor: 'ValidationError',
      message: 'event.foo: unknown field',
    });
  }, 240_000);
});
