// The audit log is append-only on AWS because IAM says so: no statement of any policy in either
// stack (function roles, the administrators' managed policy, CDK's own roles) allows a change or a
// removal of a record on the audit table or its index, by name or by wildcard; only the functions
// that write the log, and the administrators, may append (PutItem).
import { App, Stack, Validations } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { AttributeType, Table } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { describe, expect, it } from 'vitest';
import { AUDIT_TABLE } from '../../lambdas/shared/config/tables.js';
import { AUDIT_APPEND_ACCESS, AppFunction, SKIP_BUNDLING_CONTEXT, dynamoDbActionsOf, grantAuditAppend } from '../../lib/constructs/app-function.js';
import { buildStacks, logicalIdOf, resolveImports } from './idgov-app.js';

interface Statement {
  Effect: string;
  Action?: string | string[];
  NotAction?: string | string[];
  Resource?: unknown;
  NotResource?: unknown;
}
interface OwnedStatement extends Statement {
  /** Logical id of the policy, managed policy or role (inline policy) that holds it. */
  owner: string;
  /** Logical ids of the roles the policy is attached to. */
  roles: string[];
}

const asList = <T>(value: T | T[] | undefined): T[] => (value === undefined ? [] : Array.isArray(value) ? value : [value]);

/** Changes and removals of items, and what could make DynamoDB remove them (a TTL, the table itself). */
const FORBIDDEN_ON_AUDIT_LOG = [
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:BatchWriteItem',
  'dynamodb:PartiQLInsert',
  'dynamodb:PartiQLUpdate',
  'dynamodb:PartiQLDelete',
  'dynamodb:UpdateTimeToLive',
  'dynamodb:UpdateTable',
  'dynamodb:DeleteTable',
];

function ownedStatementsOf(template: Template, producer?: Template): OwnedStatement[] {
  const roleRefs = (properties: { Roles?: unknown[] }) =>
    asList(properties.Roles).map((role) => (role as { Ref?: string }).Ref ?? JSON.stringify(role));
  const documents: [string, string[], { Statement: Statement[] }][] = [
    ...Object.entries(template.findResources('AWS::IAM::Policy')).map(([id, r]) => [id, roleRefs(r.Properties), r.Properties.PolicyDocument] as const),
    ...Object.entries(template.findResources('AWS::IAM::ManagedPolicy')).map(([id, r]) => [id, roleRefs(r.Properties), r.Properties.PolicyDocument] as const),
    ...Object.entries(template.findResources('AWS::IAM::Role')).flatMap(([id, r]) =>
      asList(r.Properties.Policies as { PolicyDocument: unknown }[]).map((p) => [id, [id], p.PolicyDocument] as const),
    ),
  ] as [string, string[], { Statement: Statement[] }][];
  return documents.flatMap(([owner, roles, document]) =>
    asList(document.Statement).map((statement) => ({
      ...(producer ? (resolveImports(statement, producer) as Statement) : statement),
      owner,
      roles,
    })),
  );
}

/** An IAM action pattern (`dynamodb:*`, `dynamodb:Update*`, `*`) as a matcher; IAM actions ignore case. */
const actionPattern = (pattern: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`, 'i');

/** The actions of `candidates` the statement allows. */
function allowedActions(statement: Statement, candidates: readonly string[]): string[] {
  if (statement.Effect !== 'Allow') return [];
  if (statement.NotAction !== undefined) {
    const excluded = asList(statement.NotAction).map(actionPattern);
    return candidates.filter((action) => !excluded.some((pattern) => pattern.test(action)));
  }
  const patterns = asList(statement.Action).map(actionPattern);
  return candidates.filter((action) => patterns.some((pattern) => pattern.test(action)));
}

/**
 * Whether the statement's resources take in the audit table or its index: by its ARN (GetAtt of its
 * logical id, alone or joined to an index path), by "*", or by any DynamoDB ARN with a wildcard.
 */
function coversTable(statement: Statement, tableLogicalId: string): boolean {
  if (statement.NotResource !== undefined) return true;
  return asList(statement.Resource).some((resource) => {
    const text = JSON.stringify(resource);
    return resource === '*' || text.includes(`"${tableLogicalId}"`) || (/dynamodb/i.test(text) && text.includes('*'));
  });
}

function auditLogViolations(statements: OwnedStatement[], tableLogicalId: string) {
  return statements
    .filter((statement) => coversTable(statement, tableLogicalId))
    .map((statement) => ({ owner: statement.owner, actions: allowedActions(statement, FORBIDDEN_ON_AUDIT_LOG) }))
    .filter((violation) => violation.actions.length > 0);
}

const { stateful, stateless } = buildStacks();
const statefulTemplate = Template.fromStack(stateful);
const statelessTemplate = Template.fromStack(stateless);
const auditTableId = logicalIdOf(stateful.tables.auditTable);
const everyStatement = [...ownedStatementsOf(statefulTemplate), ...ownedStatementsOf(statelessTemplate, statefulTemplate)];

describe('the audit log on AWS: append-only by IAM', () => {
  it('no statement of any policy in either stack allows an update, a delete, a batch write, PartiQL writes, a TTL or a table change on it', () => {
    // The statements read are many, and some name the audit table: the check below looks at real grants.
    expect(everyStatement.length).toBeGreaterThan(50);
    expect(everyStatement.filter((statement) => coversTable(statement, auditTableId)).length).toBeGreaterThanOrEqual(6);
    expect(auditLogViolations(everyStatement, auditTableId)).toEqual([]);
  });

  it('every statement that names it allows GetItem, PutItem and Query at most, on the table and ByEventKey only', () => {
    const auditArn = { 'Fn::GetAtt': [auditTableId, 'Arn'] };
    const allowed = new Set([JSON.stringify(auditArn), JSON.stringify({ 'Fn::Join': ['', [auditArn, '/index/ByEventKey']] })]);
    for (const statement of everyStatement.filter((s) => JSON.stringify(s.Resource ?? null).includes(`"${auditTableId}"`))) {
      expect(statement.Effect).toBe('Allow');
      expect(statement.NotAction).toBeUndefined();
      expect(asList(statement.Action).filter((a) => a.startsWith('dynamodb:')).every((a) => dynamoDbActionsOf(AUDIT_APPEND_ACCESS).includes(a as never)), statement.owner).toBe(true);
      const onAudit = asList(statement.Resource).map((r) => JSON.stringify(r)).filter((r) => r.includes(`"${auditTableId}"`));
      for (const resource of onAudit) expect(allowed.has(resource), resource).toBe(true);
    }
    expect(dynamoDbActionsOf(AUDIT_APPEND_ACCESS)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
  });

  it('has no resource policy of its own that could grant more', () => {
    const table = statefulTemplate.findResources('AWS::DynamoDB::Table')[auditTableId];
    expect(table.Properties.ResourcePolicy).toBeUndefined();
  });

  it('may be appended to (PutItem) by the functions that write the log and by the administrators policy, and by no one else', () => {
    const functions = {
      'campaign-controller': stateless.controller.function,
      'approver-api': stateless.approverApi.function,
      'initialize-reapproval': stateless.reapprovalJobs.initializeReapproval.function,
      'start-reapproval': stateless.reapprovalJobs.startReapproval.function,
      'risk-assessment': stateless.operationsJobs.riskAssessment.function,
      'daily-operations': stateless.operationsJobs.dailyOperations.function,
      'weekly-summary': stateless.operationsJobs.weeklySummary.function,
      'emergency-access': stateless.operationsJobs.emergencyAccess.function,
    };
    const nameOfRole = new Map(Object.entries(functions).map(([name, fn]) => [logicalIdOf(fn.serviceRole), name]));
    const appending = everyStatement.filter((s) => coversTable(s, auditTableId) && allowedActions(s, ['dynamodb:PutItem']).length > 0);
    const appenders = new Set(appending.flatMap((s) => (s.roles.length > 0 ? s.roles.map((role) => nameOfRole.get(role) ?? `role ${role}`) : [`policy ${s.owner}`])));
    expect([...appenders].sort()).toEqual(
      ['approver-api', 'campaign-controller', 'emergency-access', 'initialize-reapproval', 'start-reapproval', `policy ${logicalIdOf(stateful.administrators.policy)}`].sort(),
    );
    // Each of them is told where the log is.
    for (const name of ['approver-api', 'campaign-controller', 'emergency-access', 'initialize-reapproval', 'start-reapproval'] as const) {
      const env = statelessTemplate.findResources('AWS::Lambda::Function')[logicalIdOf(functions[name])].Properties.Environment.Variables;
      expect(resolveImports(env.AUDIT_TABLE_NAME, statefulTemplate), name).toEqual({ Ref: auditTableId });
    }
  });
});

describe('grants on the audit table', () => {
  const stack = new Stack(new App({ context: { [SKIP_BUNDLING_CONTEXT]: true } }), 'Grants');
  const table = Table.fromTableName(stack, 'Audit', 'audit');
  const fn = new AppFunction(stack, 'Fn', { entry: 'lambdas/campaign-controller/handler.ts' });

  it('bindTable refuses anything beyond append and reads on it, naming what it refuses', () => {
    expect(() => fn.bindTable(table, AUDIT_TABLE, 'RW')).toThrow(/the audit log is append-only \(grantAuditAppend\); refusing dynamodb:BatchGetItem, dynamodb:BatchWriteItem, dynamodb:ConditionCheckItem, dynamodb:DeleteItem, dynamodb:DescribeTable, dynamodb:UpdateItem$/);
    expect(() => fn.bindTable(table, AUDIT_TABLE, { actions: ['dynamodb:PutItem', 'dynamodb:UpdateItem'] })).toThrow(/refusing dynamodb:UpdateItem/);
  });

  it('grantAuditAppend grants PutItem, GetItem and Query on the table and ByEventKey, and names the table in AUDIT_TABLE_NAME', () => {
    grantAuditAppend(fn, table);
    const template = Template.fromStack(stack);
    const statements = ownedStatementsOf(template).filter((s) => asList(s.Action).some((a) => a.startsWith('dynamodb:')));
    expect(statements).toHaveLength(1);
    expect(asList(statements[0]!.Action)).toEqual(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:Query']);
    expect(JSON.stringify(statements[0]!.Resource)).toContain(':table/audit');
    expect(JSON.stringify(statements[0]!.Resource)).toContain(':table/audit/index/ByEventKey');
    expect(template.findResources('AWS::Lambda::Function')[logicalIdOf(fn)]!.Properties.Environment.Variables.AUDIT_TABLE_NAME).toBe('audit');
  });
});

describe('the audit-log check (control: it flags what it must)', () => {
  const stack = new Stack(new App(), 'Control');
  const table = new Table(stack, 'Audit', { partitionKey: { name: 'PK', type: AttributeType.STRING }, sortKey: { name: 'SK', type: AttributeType.STRING } });
  const grant = (id: string, statement: PolicyStatement) => {
    const role = new Role(stack, id, { assumedBy: new ServicePrincipal('lambda.amazonaws.com') });
    role.addToPolicy(statement);
    return role;
  };
  grant('Update', new PolicyStatement({ actions: ['dynamodb:UpdateItem'], resources: [table.tableArn] }));
  grant('WildcardAction', new PolicyStatement({ actions: ['dynamodb:*'], resources: [table.tableArn] }));
  grant('BatchOnIndex', new PolicyStatement({ actions: ['dynamodb:Batch*'], resources: [`${table.tableArn}/index/ByEventKey`] }));
  grant('PartiQL', new PolicyStatement({ actions: ['dynamodb:PartiQL*'], resources: [stack.formatArn({ service: 'dynamodb', resource: 'table', resourceName: '*' })] }));
  grant('Everything', new PolicyStatement({ actions: ['dynamodb:DeleteItem'], resources: ['*'] }));
  Validations.of(grant('NotAction', new PolicyStatement({ notActions: ['dynamodb:Scan'], resources: [table.tableArn] }))).acknowledge({
    id: 'CloudFormation-Validate::W2512',
    reason: 'A control case: the NotAction grant the check must flag',
  });
  grant('Harmless', new PolicyStatement({ actions: ['dynamodb:PutItem', 'dynamodb:Query'], resources: [table.tableArn] }));
  const statements = ownedStatementsOf(Template.fromStack(stack));
  const violations = auditLogViolations(statements, logicalIdOf(table));

  it('flags updates, deletes, batch writes and PartiQL by name, by wildcard action, on "*", on a wildcard ARN and through NotAction', () => {
    const byRole = (id: string) => violations.find((v) => v.owner.startsWith(id))?.actions ?? [];
    expect(byRole('Update')).toEqual(['dynamodb:UpdateItem']);
    expect(byRole('WildcardAction')).toEqual(FORBIDDEN_ON_AUDIT_LOG);
    expect(byRole('BatchOnIndex')).toEqual(['dynamodb:BatchWriteItem']);
    expect(byRole('PartiQL')).toEqual(['dynamodb:PartiQLInsert', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete']);
    expect(byRole('Everything')).toEqual(['dynamodb:DeleteItem']);
    expect(byRole('NotAction')).toEqual(FORBIDDEN_ON_AUDIT_LOG);
    expect(byRole('Harmless')).toEqual([]);
    expect(violations).toHaveLength(6);
  });
});
