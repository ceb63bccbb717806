// What a function of the built stacks may do, read from the stateless template: its role's
// statements (cross-stack imports resolved), its access to each table as an access mode, and its
// grants on other services. Shared by the infrastructure tests of the jobs.
import { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import { TABLES, type TableDefinition } from '../../lambdas/shared/config/tables.js';
import { type AppFunction, dynamoDbActionsOf, type TableAccess } from '../../lib/constructs/app-function.js';
import type { StatefulStack } from '../../lib/stacks/stateful-stack.js';
import type { StatelessStack } from '../../lib/stacks/stateless-stack.js';
import { logicalIdOf, resolveImports } from './idgov-app.js';

export interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Condition?: unknown;
}

export const asList = <T,>(value: T | T[]): T[] => (Array.isArray(value) ? value : [value]);
const json = (value: unknown) => JSON.stringify(value);

/** `{ [table id]: access }`, as tableAccessOf answers. */
export const tables = (...entries: [TableDefinition, TableAccess][]) => Object.fromEntries(entries.map(([d, a]) => [d.id, a]));

export function functionGrants(stateful: StatefulStack, stateless: StatelessStack) {
  const statefulTemplate = Template.fromStack(stateful);
  const template = Template.fromStack(stateless);

  /** Every statement of every policy attached to the function's role, with cross-stack imports resolved. */
  function statementsOf(fn: AppFunction): Statement[] {
    const roleRef = json({ Ref: logicalIdOf(fn.serviceRole) });
    return Object.values(template.findResources('AWS::IAM::Policy'))
      .filter((policy) => (policy.Properties.Roles as unknown[]).some((role) => json(role) === roleRef))
      .flatMap((policy) => resolveImports(policy.Properties.PolicyDocument.Statement, statefulTemplate) as Statement[]);
  }

  /**
   * What the function may do on each table: the union of actions of the statements naming it, as the
   * access mode that grants exactly these (RO, RW, READ_UPDATE), else as the sorted action list.
   */
  function tableAccessOf(fn: AppFunction): Partial<Record<string, TableAccess>> {
    const statements = statementsOf(fn);
    const access: Partial<Record<string, TableAccess>> = {};
    for (const definition of TABLES) {
      const tableArn = { 'Fn::GetAtt': [logicalIdOf(stateful.tables.tableFor(definition)), 'Arn'] };
      const naming = (resource: unknown) => statements.filter((st) => asList(st.Resource).some((r) => json(r) === json(resource)));
      const actions = new Set(naming(tableArn).flatMap((st) => asList(st.Action)).filter((a) => a.startsWith('dynamodb:')));
      if (actions.size === 0) continue;
      // Its indexes (global and local) with the same actions: a grant never stops at the table.
      for (const index of [...definition.indexes, ...(definition.localIndexes ?? [])]) {
        const indexArn = { 'Fn::Join': ['', [tableArn, `/index/${index.indexName}`]] };
        expect(new Set(naming(indexArn).flatMap((st) => asList(st.Action)).filter((a) => a.startsWith('dynamodb:')))).toEqual(actions);
      }
      const sorted = [...actions].sort();
      const mode = (['RO', 'RW', 'READ_UPDATE'] as const).find((m) => json(dynamoDbActionsOf(m)) === json(sorted));
      access[definition.id] = mode ?? { actions: sorted as never };
    }
    return access;
  }

  /** Actions of services other than DynamoDB, KMS, CloudWatch Logs and X-Ray, each with its resources. */
  function otherGrantsOf(fn: AppFunction): Record<string, unknown[]> {
    const grants: Record<string, unknown[]> = {};
    for (const statement of statementsOf(fn)) {
      for (const action of asList(statement.Action)) {
        if (/^(dynamodb|kms|logs|xray):/.test(action)) continue;
        grants[action] = [...(grants[action] ?? []), ...asList(statement.Resource)];
      }
    }
    return grants;
  }

  const deadLetterQueueArn = (fn: AppFunction) => {
    const job = Object.values(stateless.jobs).find((candidate) => candidate.function === fn);
    return { 'Fn::GetAtt': [logicalIdOf(job!.deadLetterQueue), 'Arn'] };
  };
  /** What an asynchronously invoked job may do with its dead-letter queue (its on-failure destination). */
  const sendsToItsDeadLetterQueue = (fn: AppFunction) =>
    Object.fromEntries(['sqs:GetQueueAttributes', 'sqs:GetQueueUrl', 'sqs:SendMessage'].map((action) => [action, [deadLetterQueueArn(fn)]]));

  return { statefulTemplate, template, statementsOf, tableAccessOf, otherGrantsOf, sendsToItsDeadLetterQueue };
}
