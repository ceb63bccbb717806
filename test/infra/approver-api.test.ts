import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { describe, expect, it } from 'vitest';
import { APPROVER_API_ROUTES } from '../../lambdas/approver-api/api-routes.js';
import { CAMPAIGN_TABLE, DIRECTORY_TABLE, ENV } from '../../lambdas/shared/config/tables.js';
import { ApproverApi } from '../../lib/constructs/approver-api.js';
import { DataTables } from '../../lib/constructs/data-tables.js';
import { STATEFUL_OUTPUTS } from '../../lib/stacks/stateful-stack.js';
import { STATELESS_OUTPUTS } from '../../lib/stacks/stateless-stack.js';
import { buildStacks, logicalIdOf, rawNagFindings, resolveImports } from './idgov-app.js';

const { app, stateful, stateless } = buildStacks();
const statefulTemplate = Template.fromStack(stateful);
const template = Template.fromStack(stateless);
const api = stateless.approverApi;
const identity = stateful.approverIdentity;
const exported = (value: unknown) => resolveImports(value, statefulTemplate);
const asList = <T>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);

describe('approver HTTP API', () => {
  const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route'));
  const authorizers = template.findResources('AWS::ApiGatewayV2::Authorizer');

  const PREFLIGHT = 'OPTIONS /{proxy+}';

  it('declares every route of the router, $default for the rest, and the CORS preflight', () => {
    expect(routes.map((r) => r.Properties.RouteKey).sort()).toEqual(
      ['$default', PREFLIGHT, ...APPROVER_API_ROUTES.map((r) => `${r.method} ${r.path}`)].sort(),
    );
  });

  it('puts the Cognito JWT authorizer on every route but the preflight, which browsers send without a token', () => {
    const [authorizerId, authorizer] = Object.entries(authorizers)[0]!;
    expect(Object.keys(authorizers)).toHaveLength(1);
    for (const route of routes.filter((r) => r.Properties.RouteKey !== PREFLIGHT)) {
      expect(route.Properties, route.Properties.RouteKey).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId } });
    }
    const preflight = routes.find((r) => r.Properties.RouteKey === PREFLIGHT)!;
    expect(preflight.Properties.AuthorizationType).toBe('NONE');
    expect(preflight.Properties.AuthorizerId).toBeUndefined();
    expect(authorizer.Properties).toMatchObject({ AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'] });
    const poolId = logicalIdOf(identity.userPool);
    expect(exported(authorizer.Properties.JwtConfiguration)).toEqual({
      Audience: [{ Ref: logicalIdOf(identity.userPoolClient) }],
      Issuer: { 'Fn::Join': ['', ['https://cognito-idp.', { Ref: 'AWS::Region' }, '.amazonaws.com/', { Ref: poolId }]] },
    });
  });

  it('logs every request as JSON to its own log group, and throttles by default', () => {
    const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'));
    expect(stage).toHaveLength(1);
    const { Properties: p } = stage[0]!;
    expect(p).toMatchObject({ StageName: '$default', AutoDeploy: true, DefaultRouteSettings: { ThrottlingRateLimit: 25, ThrottlingBurstLimit: 50 } });
    expect(p.AccessLogSettings.DestinationArn).toEqual({ 'Fn::GetAtt': [logicalIdOf(api.accessLogGroup), 'Arn'] });
    const format = JSON.parse(p.AccessLogSettings.Format);
    expect(format).toMatchObject({ requestId: '$context.requestId', status: '$context.status', subject: '$context.authorizer.claims.sub' });
    expect(JSON.stringify(format)).not.toContain('email');
  });

  it('outputs the URL; the stateful stack outputs the user pool and client ids', () => {
    expect(template.toJSON().Outputs[STATELESS_OUTPUTS.approverApiUrl].Value['Fn::Join'][1]).toContainEqual({ Ref: logicalIdOf(api.httpApi) });
    expect(statefulTemplate.toJSON().Outputs[STATEFUL_OUTPUTS.approverUserPoolId].Value).toEqual({ Ref: logicalIdOf(identity.userPool) });
    expect(statefulTemplate.toJSON().Outputs[STATEFUL_OUTPUTS.approverUserPoolClientId].Value).toEqual({ Ref: logicalIdOf(identity.userPoolClient) });
  });
});

describe('approver API function', () => {
  const fn = template.findResources('AWS::Lambda::Function')[logicalIdOf(api.function)]!;
  const roleId = logicalIdOf(api.function.serviceRole);
  const statements = Object.values(template.findResources('AWS::IAM::Policy'))
    .filter((policy) => policy.Properties.Roles.some((role: { Ref: string }) => role.Ref === roleId))
    .flatMap((policy) => policy.Properties.PolicyDocument.Statement as { Action: string | string[]; Resource: unknown }[]);
  const tableArn = (definition: typeof CAMPAIGN_TABLE) => ({ 'Fn::GetAtt': [logicalIdOf(stateful.tables.tableFor(definition)), 'Arn'] });
  const grantOn = (definition: typeof CAMPAIGN_TABLE) =>
    statements.find((s) => JSON.stringify(exported(s.Resource)).startsWith(JSON.stringify([tableArn(definition)]).slice(0, -1)));

  it('names its tables and the portal URL in its environment', () => {
    const env = fn.Properties.Environment.Variables;
    expect(exported(env[CAMPAIGN_TABLE.envVar])).toEqual({ Ref: logicalIdOf(stateful.tables.campaignTable) });
    expect(exported(env[DIRECTORY_TABLE.envVar])).toEqual({ Ref: logicalIdOf(stateful.tables.directoryTable) });
    expect(exported(env[ENV.approverPortalUrl])).toEqual({ 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalIdOf(stateful.approverPortal.distribution), 'DomainName'] }]] });
  });

  it('writes the campaign table (entries, items, approval runs, outbox); only reads the directory; no wildcard', () => {
    const campaign = asList(grantOn(CAMPAIGN_TABLE)!.Action);
    const directory = asList(grantOn(DIRECTORY_TABLE)!.Action);
    expect(campaign).toEqual(expect.arrayContaining(['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:Query']));
    expect(directory).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:BatchGetItem', 'dynamodb:Query']));
    // A decision that ends a re-approval leaves its outcome to the start-reapproval job: the
    // internet-facing function changes no assignment, nor anything else in the directory.
    expect(directory.filter((a) => /Put|Update|Delete|Write/.test(a))).toEqual([]);
    expect(statements.filter((s) => JSON.stringify(exported(s.Resource)).includes(logicalIdOf(stateful.tables.directoryTable)) && asList(s.Action).some((a) => /^dynamodb:(Put|Update|Delete|BatchWrite)/.test(a)))).toEqual([]);
    for (const statement of statements) {
      expect(asList(statement.Action).some((a) => a.endsWith('*'))).toBe(false);
      if (asList(statement.Resource).includes('*')) expect(asList(statement.Action).sort()).toEqual(['xray:PutTelemetryRecords', 'xray:PutTraceSegments']);
    }
    expect(statements.flatMap((s) => asList(s.Action)).filter((a) => /^(ses|sns|lambda):/.test(a))).toEqual([]);
  });
});

describe('approver user pool', () => {
  const pool = statefulTemplate.findResources('AWS::Cognito::UserPool')[logicalIdOf(identity.userPool)]!;
  const client = statefulTemplate.findResources('AWS::Cognito::UserPoolClient')[logicalIdOf(identity.userPoolClient)]!;

  it('admits administrator-created users only, with a strong password, TOTP MFA and enforced threat protection', () => {
    expect(pool.Properties).toMatchObject({
      AdminCreateUserConfig: { AllowAdminCreateUserOnly: true },
      UsernameAttributes: ['email'],
      MfaConfiguration: 'ON',
      EnabledMfas: ['SOFTWARE_TOKEN_MFA'],
      Policies: { PasswordPolicy: { MinimumLength: 14, RequireLowercase: true, RequireUppercase: true, RequireNumbers: true, RequireSymbols: true } },
      UserPoolTier: 'PLUS',
      UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' },
      // An email change counts only once verified: the email names the caller.
      UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] },
      DeletionProtection: 'ACTIVE',
    });
    expect(pool.DeletionPolicy).toBe('Retain');
  });

  it('gives the portal a public client (hosted sign-in, or SRP) that cannot change the email', () => {
    expect(client.Properties).toMatchObject({ GenerateSecret: false, ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
    expect(client.Properties.WriteAttributes).not.toContain('email');
    expect(client.Properties.ReadAttributes).toEqual(expect.arrayContaining(['email', 'email_verified']));
  });
});

describe('cdk-nag', () => {
  it('finds nothing on the API and the user pool but the X-Ray finding every AppFunction acknowledges and the unauthorized preflight', () => {
    app.synth();
    const raw = rawNagFindings(app).flatMap((f) => f.violatingConstructs.map((c) => `${f.ruleName} ${c.constructPath}`));
    expect(raw.filter((line) => line.includes('/ApproverIdentity/'))).toEqual([]);
    expect(raw.filter((line) => line.includes('/ApproverApi/')).sort()).toEqual([
      `AwsSolutions-APIG4 ${api.httpApi.node.path}/OPTIONS--{proxy+}/Resource`,
      `AwsSolutions-IAM5[Resource::*] ${api.function.serviceRole.node.path}/DefaultPolicy/Resource`,
    ]);
  });
});

describe('approver API bundle', () => {
  it('bundles into a module that loads and exports its handler', async () => {
    const bundleApp = new App({ outdir: mkdtempSync(join(tmpdir(), 'idgov-bundle-')) });
    const stack = new Stack(bundleApp, 'Api');
    const tables = new DataTables(stack, 'Data');
    const pool = new UserPool(stack, 'Pool');
    new ApproverApi(stack, 'ApproverApi', {
      directoryTable: tables.directoryTable,
      campaignTable: tables.campaignTable,
      auditTable: tables.auditTable,
      userPool: pool,
      userPoolClient: pool.addClient('Client'),
      approverPortalUrl: 'https://approvals.example.com',
    });
    const dir = bundleApp.synth().directory;
    const assetDir = readdirSync(dir).map((name) => join(dir, name)).find((d) => existsSync(join(d, 'index.mjs')));
    expect(assetDir).toBeDefined();
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['--input-type=module', '-e', 'console.log(typeof (await import(process.argv[1])).handler);', join(assetDir!, 'index.mjs')],
      { env: { PATH: process.env.PATH ?? '' } },
    );
    expect(stdout.trim()).toBe('function');
  }, 60_000);
});
