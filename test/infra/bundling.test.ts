import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { describe, expect, it } from 'vitest';
import { AppFunction } from '../../lib/constructs/app-function.js';
import { CampaignController } from '../../lib/constructs/campaign-controller.js';
import { DataTables } from '../../lib/constructs/data-tables.js';
import { logicalIdOf } from './idgov-app.js';

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

  it('bundles the campaign controller into a module that loads and exports its handler', async () => {
    const app = new App({ outdir: mkdtempSync(join(tmpdir(), 'idgov-bundle-')) });
    const stack = new Stack(app, 'Controller');
    const tables = new DataTables(stack, 'Data');
    new CampaignController(stack, 'CampaignController', {
      directoryTable: tables.directoryTable,
      campaignTable: tables.campaignTable,
      alarmTopic: new Topic(stack, 'Alarms'),
      sender: { address: 'governance@example.com', configurationSetName: '' },
      approverPortalUrl: 'https://approvals.example.com',
    });
    const assetDir = bundledAssetDir(app.synth().directory);
    expect(assetDir).toBeDefined();
    const { stdout } = await runNode(
      process.execPath,
      ['--input-type=module', '-e', 'console.log(typeof (await import(process.argv[1])).handler);', join(assetDir!, 'index.mjs')],
      { env: { PATH: process.env.PATH ?? '' } },
    );
    expect(stdout.trim()).toBe('function');
  });
});
