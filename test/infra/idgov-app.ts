// Test helpers for the infrastructure tests: the app's stacks built in-process (bundling skipped),
// and the real `bin/app.ts` synthesized in a child process exactly as `cdk synth` runs it.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { IConstruct } from 'constructs';
import { SKIP_BUNDLING_CONTEXT } from '../../lib/constructs/app-function.js';
import { StatefulStack } from '../../lib/stacks/stateful-stack.js';
import { StatelessStack } from '../../lib/stacks/stateless-stack.js';
import { evidenceExportNames, stackNames } from '../../lib/stack-outputs.js';

export const PROJECT_ROOT = new URL('../../', import.meta.url).pathname;

/** cdk.json's context (feature flags included), so that the stacks under test are the ones `cdk synth` builds. */
const CDK_JSON_CONTEXT = (JSON.parse(readFileSync(join(PROJECT_ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

/** The two stacks wired as in bin/app.ts, with the inline test code instead of esbuild bundles; `context` as given with `-c`. */
export function buildStacks(names = stackNames(), context: Record<string, unknown> = {}) {
  const app = new App({ context: { ...CDK_JSON_CONTEXT, [SKIP_BUNDLING_CONTEXT]: true, ...context } });
  const stateful = new StatefulStack(app, names.stateful, { stackNames: names });
  const stateless = new StatelessStack(app, names.stateless, {
    directoryTable: stateful.tables.directoryTable,
    campaignTable: stateful.tables.campaignTable,
    operationsTable: stateful.tables.operationsTable,
    auditTable: stateful.tables.auditTable,
    alarmsTopic: stateful.topics.alarmsTopic,
    operationsTopic: stateful.topics.operationsTopic,
    runbooksBucket: stateful.runbooks.bucket,
    evidenceExports: evidenceExportNames(stateful.stackName),
    approverIdentity: stateful.approverIdentity,
    approverPortal: stateful.approverPortal,
  });
  return { app, stateful, stateless };
}

export interface NagViolation {
  ruleName: string;
  severity: string;
  violatingConstructs: { constructPath: string }[];
}

/** The cdk-nag (AwsSolutions) violations in a cloud assembly's validation report. */
export function nagViolations(assemblyDir: string): NagViolation[] {
  const report = JSON.parse(readFileSync(join(assemblyDir, 'validation-report.json'), 'utf8')) as {
    pluginReports: { pluginName: string; violations: NagViolation[] }[];
  };
  return report.pluginReports
    .filter((plugin) => plugin.pluginName === 'AwsSolutions')
    .flatMap((plugin) => plugin.violations);
}

export interface SynthesizedApp {
  exitCode: number;
  stderr: string;
  assemblyDir: string;
  template(stackName: string): Template;
}

/** Runs `bin/app.ts` as the CDK CLI does (CDK_OUTDIR, CDK_CONTEXT_JSON) and reads its assembly. */
export async function synthesizeBinApp(context: Record<string, unknown>): Promise<SynthesizedApp> {
  const assemblyDir = mkdtempSync(join(tmpdir(), 'idgov-cdk-out-'));
  const run = promisify(execFile);
  let exitCode = 0;
  let stderr = '';
  try {
    ({ stderr } = await run(process.execPath, ['--import', 'tsx', 'bin/app.ts'], {
      cwd: PROJECT_ROOT,
      env: { ...process.env, CDK_OUTDIR: assemblyDir, CDK_CONTEXT_JSON: JSON.stringify(context) },
    }));
  } catch (error) {
    const failure = error as { code?: number; stderr?: string };
    exitCode = failure.code ?? 1;
    stderr = failure.stderr ?? '';
  }
  return {
    exitCode,
    stderr,
    assemblyDir,
    template: (stackName) =>
      Template.fromJSON(JSON.parse(readFileSync(join(assemblyDir, `${stackName}.template.json`), 'utf8'))),
  };
}

export interface Acknowledgement {
  constructPath: string;
  id: string;
  reason: string;
}

/** Every `Validations.of(x).acknowledge(...)` made anywhere under `root`. */
export function acknowledgementsUnder(root: IConstruct): Acknowledgement[] {
  return root.node.findAll().flatMap((construct) =>
    construct.node.metadata
      .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
      .flatMap((entry) =>
        Object.entries(entry.data as Record<string, string>).map(([id, reason]) => ({
          constructPath: construct.node.path,
          id: id.replace(/^annotation::/i, ''),
          reason,
        })),
      ),
  );
}

/** What AwsSolutions reports for `root` when acknowledgements are ignored. */
export function rawNagFindings(root: IConstruct): NagViolation[] {
  const pack = new AwsSolutionsChecks();
  (pack as unknown as { isAcknowledged: () => boolean }).isAcknowledged = () => false;
  return pack.validateScope(root).violations.map((violation) => ({
    ruleName: violation.ruleName,
    severity: violation.severity ?? '',
    violatingConstructs: violation.violatingResources.map((resource) => ({
      constructPath: (resource as { constructPath?: string }).constructPath ?? '',
    })),
  }));
}

/** Logical id of a construct's CloudFormation resource in its stack's template. */
export function logicalIdOf(construct: IConstruct): string {
  return Stack.of(construct).getLogicalId(construct.node.defaultChild as CfnElement);
}

/** Replaces every `Fn::ImportValue` in `value` by what the producer template exports under that name. */
export function resolveImports(value: unknown, producer: Template): unknown {
  const outputs = Object.values(
    (producer.toJSON().Outputs ?? {}) as Record<string, { Value: unknown; Export?: { Name: string } }>,
  );
  const visit = (node: unknown): unknown => {
    if (Array.isArray(node)) return node.map(visit);
    if (node === null || typeof node !== 'object') return node;
    const record = node as Record<string, unknown>;
    if ('Fn::ImportValue' in record) {
      const exported = outputs.find((output) => output.Export?.Name === record['Fn::ImportValue']);
      if (!exported) throw new Error(`no export named ${JSON.stringify(record['Fn::ImportValue'])}`);
      return exported.Value;
    }
    return Object.fromEntries(Object.entries(record).map(([key, child]) => [key, visit(child)]));
  };
  return visit(value);
}
