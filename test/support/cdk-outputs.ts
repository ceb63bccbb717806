// What `cdk deploy --all --outputs-file cdk-outputs.json` writes for a deployment, and the same
// outputs as CloudFormation DescribeStacks answers them. Literal keys: they are a contract with
// operators' scripts (docs quote `.IdGovStateless.ApproverApiUrl`), not only with the CLI.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DescribeStacksCommandOutput } from '@aws-sdk/client-cloudformation';

export const ACCOUNT = '123456789012';
export const REGION = 'eu-west-1';

export const statefulOutputs = (stack = 'IdGovStateful') => ({
  DirectoryTableName: `${stack}-DataDirectoryTable4E421CF4-1A2B3C4D5E6F`,
  CampaignTableName: `${stack}-DataCampaignTable2D89F0B8-6F5E4D3C2B1A`,
  OperationsTableName: `${stack}-DataOperationsTable590CA373-9A8B7C6D5E4F`,
  AuditTableName: `${stack}-DataAuditTableA1B2C3D4-0F1E2D3C4B5A`,
  AlarmsTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:${stack}-NotificationsAlarmsTopic-AbCdEf`,
  OperationsTopicArn: `arn:aws:sns:${REGION}:${ACCOUNT}:${stack}-NotificationsOperationsTopic-GhIjKl`,
  RunbooksBucketName: `${stack.toLowerCase()}-runbooksbucket1a2b3c4d-mnopqrstuvwx`,
  ApproverUserPoolId: `${REGION}_AbCdEfGhI`,
  ApproverUserPoolClientId: '1example23456789abcdefghij',
  ApproverSignInUrl: `https://idgov-1a2b3c4d.auth.${REGION}.amazoncognito.com`,
  ApproverPortalDistributionDomainName: 'd1a2b3c4d5e6f7.cloudfront.net',
  AdministratorsPolicyArn: `arn:aws:iam::${ACCOUNT}:policy/IdGovAdministrators`,
  ReportsBucketName: `${stack.toLowerCase()}-evidencebucketc67ff768-abcdefghijkl`,
  EvidenceSigningKeyArn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/1234abcd-12ab-34cd-56ef-1234567890ab`,
});

export const statelessOutputs = (stack = 'IdGovStateless') => ({
  ApproverApiUrl: `https://a1b2c3d4e5.execute-api.${REGION}.amazonaws.com/`,
  ApproverApiFunctionName: `${stack}-ApproverApiFunction12AB34CD-XyZ987654321`,
  ApproverPortalBaseUrl: 'https://d1a2b3c4d5e6f7.cloudfront.net',
  CampaignControllerFunctionName: `${stack}-CampaignControllerFunction56EF78-AbC123456789`,
  CampaignControllerDeadLetterQueueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${stack}-DeadLetterQueue-QwErTy`,
  RiskAssessmentFunctionName: `${stack}-RiskAssessmentFunction8A9B0C-DeF012345678`,
  DailyOperationsFunctionName: `${stack}-DailyOperationsFunction1D2E3F-GhI345678901`,
  WeeklySummaryFunctionName: `${stack}-WeeklySummaryFunction4A5B6C-JkL678901234`,
  InitializeReapprovalFunctionName: `${stack}-InitializeReapprovalFunction0A1B-PqR234567890`,
  StartReapprovalFunctionName: `${stack}-StartReapprovalFunction2C3D4E-StU567890123`,
  EmergencyAccessFunctionName: `${stack}-EmergencyAccessFunction7D8E9F-MnO901234567`,
  ArchiveEvidenceFunctionName: `${stack}-ArchiveEvidenceFunction3B4C5D-VwX456789012`,
  DailyHealthCheckDocumentName: `${stack}-DailyHealthCheck`,
  IncidentResponseDocumentName: `${stack}-IncidentResponse`,
  EmergencyAccessRemovalDocumentName: `${stack}-EmergencyAccessRemoval`,
});

export const cdkOutputs = (prefix = 'IdGov') => ({
  [`${prefix}Stateful`]: statefulOutputs(`${prefix}Stateful`),
  [`${prefix}Stateless`]: statelessOutputs(`${prefix}Stateless`),
});

/** Writes `content` (an object is written as JSON) to a fresh folder; returns the file's path. */
export function writeOutputsFile(content: unknown, name = 'cdk-outputs.json'): string {
  const path = join(mkdtempSync(join(tmpdir(), 'idgov-outputs-')), name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

/** DescribeStacks' answer for one stack with these outputs. */
export function describedStack(name: string, outputs: Record<string, string>, status = 'CREATE_COMPLETE'): DescribeStacksCommandOutput {
  return {
    $metadata: {},
    Stacks: [
      {
        StackName: name,
        StackId: `arn:aws:cloudformation:${REGION}:${ACCOUNT}:stack/${name}/0a1b2c3d-4e5f-6789-abcd-ef0123456789`,
        CreationTime: new Date('2026-11-01T00:00:00Z'),
        StackStatus: status as never,
        Outputs: Object.entries(outputs).map(([OutputKey, OutputValue]) => ({ OutputKey, OutputValue })),
      },
    ],
  };
}
