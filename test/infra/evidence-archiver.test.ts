// The evidence archiver and its chart renderer (lib/constructs/evidence-archiver.ts): the controller
// may invoke the archiver and nothing else of it; the archiver reads the tables, appends to the audit
// log, writes packs and signs, and may invoke the chart renderer, which may do nothing; each waits
// for the function it calls longer than that function may run.
import { describe, expect, it } from 'vitest';
import { AUDIT_TABLE, CAMPAIGN_TABLE, DIRECTORY_TABLE, ENV } from '../../lambdas/shared/config/tables.js';
import { REPORT_CHARTS_WAIT_MS } from '../../lambdas/shared/adapters/lambda-chart-drawer.js';
import { ARCHIVE_EVIDENCE_WAIT_MS } from '../../lambdas/shared/adapters/lambda-evidence-archiver.js';
import { AUDIT_APPEND_ACCESS, type AppFunction } from '../../lib/constructs/app-function.js';
import { CONTROLLER_TIMEOUT } from '../../lib/constructs/campaign-controller.js';
import { ARCHIVE_EVIDENCE_TIMEOUT, REPORT_CHARTS_TIMEOUT } from '../../lib/constructs/evidence-archiver.js';
import { EVIDENCE_KEY_PREFIX } from '../../lib/constructs/evidence-store.js';
import { STATELESS_OUTPUTS } from '../../lib/stack-outputs.js';
import { asList, functionGrants, tables } from './function-grants.js';
import { buildStacks, logicalIdOf } from './idgov-app.js';

const { stateful, stateless } = buildStacks();
const { template, statementsOf, tableAccessOf, otherGrantsOf } = functionGrants(stateful, stateless);
const archiver = stateless.evidenceArchiver.function;
const charts = stateless.reportCharts.function;
const controller = stateless.controller.function;
const arnOf = (fn: AppFunction) => ({ 'Fn::GetAtt': [logicalIdOf(fn), 'Arn'] });
const propertiesOf = (fn: AppFunction) => template.findResources('AWS::Lambda::Function')[logicalIdOf(fn)]!.Properties;
const envOf = (fn: AppFunction) => propertiesOf(fn).Environment.Variables as Record<string, unknown>;

describe('the archive-evidence function', () => {
  it('reads the directory and campaign tables, appends to the audit log, and writes no table', () => {
    expect(tableAccessOf(archiver)).toEqual(tables([DIRECTORY_TABLE, 'RO'], [CAMPAIGN_TABLE, 'RO'], [AUDIT_TABLE, AUDIT_APPEND_ACCESS]));
  });

  it('puts and gets packs under evidence/, signs, and invokes the chart renderer by its ARN: nothing else, never a delete', () => {
    const grants = otherGrantsOf(archiver);
    expect(Object.keys(grants).sort()).toEqual(['lambda:InvokeFunction', 's3:GetObject', 's3:PutObject']);
    expect(grants['lambda:InvokeFunction']).toEqual([arnOf(charts)]);
    expect(JSON.stringify(grants['s3:PutObject'])).toContain(`/${EVIDENCE_KEY_PREFIX}*`);
    // KMS: Sign and GetPublicKey (the signing key), and the table key through DynamoDB only (the audit append writes).
    const kms = statementsOf(archiver).filter((st) => asList(st.Action).some((a) => a.startsWith('kms:')));
    const signing = kms.filter((st) => !JSON.stringify(st.Condition ?? {}).includes('kms:ViaService'));
    expect(signing.map((st) => asList(st.Action).sort())).toEqual([['kms:GetPublicKey', 'kms:Sign']]);
    for (const st of kms.filter((candidate) => !signing.includes(candidate))) expect(JSON.stringify(st.Condition)).toContain('"dynamodb.');
    expect(statementsOf(archiver).flatMap((st) => asList(st.Action)).filter((a) => /Delete|Update|BatchWrite|\*/.test(a))).toEqual([]);
  });

  it('is told the chart renderer, the bucket, the key and the tables through the variables of tables.ts', () => {
    expect(envOf(archiver)[ENV.reportChartsFunction]).toEqual({ Ref: logicalIdOf(charts) });
    expect(Object.keys(envOf(archiver))).toEqual(
      expect.arrayContaining([ENV.directoryTable, ENV.campaignTable, ENV.auditTable, ENV.reportsBucket, ENV.evidenceKeyId, ENV.reportChartsFunction]),
    );
  });

  it('may run longer than the chart renderer, and the controller waits longer than it may run, within its own timeout', () => {
    expect(propertiesOf(archiver).Timeout).toBe(ARCHIVE_EVIDENCE_TIMEOUT.toSeconds());
    expect(propertiesOf(charts).Timeout).toBe(REPORT_CHARTS_TIMEOUT.toSeconds());
    expect(REPORT_CHARTS_WAIT_MS).toBeGreaterThan(REPORT_CHARTS_TIMEOUT.toMilliseconds());
    expect(ARCHIVE_EVIDENCE_TIMEOUT.toMilliseconds()).toBeGreaterThan(REPORT_CHARTS_WAIT_MS);
    expect(ARCHIVE_EVIDENCE_WAIT_MS).toBeGreaterThan(ARCHIVE_EVIDENCE_TIMEOUT.toMilliseconds());
    expect(CONTROLLER_TIMEOUT.toMilliseconds()).toBeGreaterThan(ARCHIVE_EVIDENCE_WAIT_MS);
  });

  it('has its name in an output', () => {
    template.hasOutput(STATELESS_OUTPUTS.archiveEvidenceFunctionName, { Value: { Ref: logicalIdOf(archiver) } });
  });
});

describe('the render-report-charts function', () => {
  it('may touch no table, bucket, key or function', () => {
    expect(tableAccessOf(charts)).toEqual({});
    expect(otherGrantsOf(charts)).toEqual({});
    expect(statementsOf(charts).flatMap((st) => asList(st.Action)).filter((a) => !/^(logs|xray):/.test(a))).toEqual([]);
  });

  it('may be invoked by the archiver alone', () => {
    const invokers = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) => JSON.stringify(policy.Properties.PolicyDocument).includes(JSON.stringify(arnOf(charts))));
    expect(invokers.map((policy) => policy.Properties.Roles)).toEqual([[{ Ref: logicalIdOf(archiver.serviceRole) }]]);
  });
});

describe('the controller', () => {
  it('invokes the archiver by its unqualified ARN, named in its environment, and may not write packs or sign', () => {
    expect(otherGrantsOf(controller)['lambda:InvokeFunction']).toContainEqual(arnOf(archiver));
    expect(envOf(controller)[ENV.archiveEvidenceFunction]).toEqual({ Ref: logicalIdOf(archiver) });
    const actions = statementsOf(controller).flatMap((st) => asList(st.Action));
    expect(actions.filter((a) => a.startsWith('s3:') || a === 'kms:Sign' || a === 'kms:GetPublicKey')).toEqual([]);
  });
});
