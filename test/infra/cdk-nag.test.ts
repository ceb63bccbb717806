import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { App, Stack, Validations } from 'aws-cdk-lib';
import { AttributeType, BillingMode, Table, TableEncryption } from 'aws-cdk-lib/aws-dynamodb';
import { Bucket } from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { beforeAll, describe, expect, it } from 'vitest';
import { SKIP_BUNDLING_CONTEXT } from '../../lib/constructs/app-function.js';
import {
  acknowledgementsUnder,
  buildStacks,
  logicalIdOf,
  nagViolations,
  rawNagFindings,
  synthesizeBinApp,
  type SynthesizedApp,
} from './idgov-app.js';

/** Synthesizes `app` with AwsSolutions checks; returns the error (if synth failed) and the findings. */
function synthWithNag(app: App) {
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));
  try {
    const assembly = app.synth();
    return { error: undefined, violations: nagViolations(assembly.directory) };
  } catch (error) {
    return { error: error as Error, violations: nagViolations(app.outdir) };
  }
}

const throwawayApp = () => new App({ outdir: mkdtempSync(join(tmpdir(), 'idgov-nag-control-')) });

describe('cdk-nag AwsSolutions on bin/app.ts', () => {
  let synthesized: SynthesizedApp;
  // Its timeout bounds a hung synth (about 30 s of a child process on a quiet 2-core machine).
  beforeAll(async () => {
    synthesized = await synthesizeBinApp({ [SKIP_BUNDLING_CONTEXT]: true });
  }, 240_000);

  it('synthesizes with zero unacknowledged errors or warnings', () => {
    expect(synthesized.stderr).not.toMatch(/AwsSolutions-/);
    expect(synthesized.exitCode).toBe(0);
    expect(nagViolations(synthesized.assemblyDir)).toEqual([]);
  });

  it('ran the checks and wrote each acknowledgement next to its resource', () => {
    // Present only when the AwsSolutions pack was registered with the audit trail turned on.
    const { stateless } = buildStacks();
    const queue = synthesized
      .template('IdGovStateless')
      .findResources('AWS::SQS::Queue')[logicalIdOf(stateless.controller.job.deadLetterQueue)];
    expect(queue.Metadata.cdk_nag.rules_to_suppress).toEqual([
      { id: 'AwsSolutions-SQS3', reason: expect.stringContaining('dead-letter queue') },
    ]);
  });
});

describe('acknowledgements', () => {
  const { app } = buildStacks();
  app.synth();
  const acknowledgements = acknowledgementsUnder(app);
  const raw = rawNagFindings(app);

  it('exist, each for one exact finding id with a reason', () => {
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const acknowledgement of acknowledgements) {
      expect(acknowledgement.id).toMatch(/^AwsSolutions-[A-Z]+\d+(\[[^\]]+\])?$/);
      expect(acknowledgement.reason.length).toBeGreaterThan(60);
    }
  });

  it('each silence a finding that would otherwise be raised on that construct', () => {
    for (const acknowledgement of acknowledgements) {
      const silenced = raw.filter(
        (finding) =>
          finding.ruleName === acknowledgement.id &&
          finding.violatingConstructs.some((c) => c.constructPath.startsWith(`${acknowledgement.constructPath}/`)),
      );
      expect(silenced, `${acknowledgement.id} on ${acknowledgement.constructPath}`).not.toEqual([]);
    }
  });

  it('leave nothing else: every raw finding is acknowledged', () => {
    const unacknowledged = raw.flatMap((finding) =>
      finding.violatingConstructs
        .filter(
          (c) =>
            !acknowledgements.some(
              (a) => a.id === finding.ruleName && c.constructPath.startsWith(`${a.constructPath}/`),
            ),
        )
        .map((c) => `${finding.ruleName} ${c.constructPath}`),
    );
    expect(unacknowledged).toEqual([]);
  });

  it('pass in-process synthesis of both stacks', () => {
    const { app: fresh } = buildStacks();
    const { error, violations } = synthWithNag(fresh);
    expect(error).toBeUndefined();
    expect(violations).toEqual([]);
  });
});

describe('controls: the checks can fail', () => {
  it('an unencrypted, unlogged bucket fails synthesis with AwsSolutions errors', () => {
    const app = throwawayApp();
    new Bucket(new Stack(app, 'Control'), 'Bucket');
    const { error, violations } = synthWithNag(app);
    expect(error?.message).toMatch(/AwsSolutions-S1/);
    expect(violations).toContainEqual(
      expect.objectContaining({ ruleName: 'AwsSolutions-S1', severity: 'error' }),
    );
    expect(violations).toContainEqual(
      expect.objectContaining({ ruleName: 'AwsSolutions-S10', severity: 'error' }),
    );
  });

  it('a table without point-in-time recovery is reported as an AwsSolutions warning', () => {
    const app = throwawayApp();
    new Table(new Stack(app, 'Control'), 'Table', {
      partitionKey: { name: 'PK', type: AttributeType.STRING },
      billingMode: BillingMode.PAY_PER_REQUEST,
      encryption: TableEncryption.AWS_MANAGED,
    });
    const { error, violations } = synthWithNag(app);
    expect(error).toBeDefined();
    expect(violations).toEqual([
      expect.objectContaining({
        ruleName: 'AwsSolutions-DDB3',
        severity: 'warning',
        violatingConstructs: [expect.objectContaining({ constructPath: 'Control/Table/Resource' })],
      }),
    ]);
  });
});
