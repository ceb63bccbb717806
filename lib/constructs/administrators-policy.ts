import { ArnFormat, Aws, Stack, Tags, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct, type IConstruct } from 'constructs';
import type { TableDefinition } from '../../lambdas/shared/config/tables.js';
import { AUDIT_APPEND_ACCESS, dynamoDbActionsOf, KMS_READ_ACTIONS, KMS_WRITE_ACTIONS, tableAndIndexArns } from './app-function.js';

export interface AdministratorsPolicyProps {
  /** IAM name of the policy (`IdGovAdministrators` by default, lib/stack-outputs.ts). */
  readonly policyName: string;
  /** The product's tables but the audit log, each with the definition it was built from. */
  readonly tables: readonly { readonly table: ITable; readonly definition: TableDefinition }[];
  /** The audit log: administrators append to it and read it, and never change or delete a record. */
  readonly auditLog: { readonly table: ITable; readonly definition: TableDefinition };
  /** The customer-managed key of the tables. */
  readonly tableKey: IKey;
  /** Name of the stateless stack, whose functions the administrators may invoke. */
  readonly statelessStackName: string;
}

/** The CloudFormation tag on every resource of a stack, set by CloudFormation itself. */
const STACK_NAME_TAG = 'aws:cloudformation:stack-name';

/**
 * The tag that marks the functions administrators may invoke: the scheduled jobs (the campaign
 * controller, risk assessment, daily operations, weekly summary, the re-approval jobs) and emergency access. The approver
 * API function must never carry it: invoked directly, it would take its caller from an event the
 * administrator wrote, skipping the JWT authorizer.
 */
export const ADMIN_INVOCABLE_TAG = { key: 'idgov:admin-invocable', value: 'true' } as const;

/** Lets administrators invoke `fn` (its Lambda function only, not its role or log group). */
export function allowAdministratorsToInvoke(fn: IConstruct): void {
  Tags.of(fn).add(ADMIN_INVOCABLE_TAG.key, ADMIN_INVOCABLE_TAG.value, { includeResourceTypes: ['AWS::Lambda::Function'] });
}

/**
 * The DynamoDB actions the admin CLI sends (the document client's Get, Query, BatchGet, Put,
 * Update, Delete and BatchWrite in lambdas/shared/adapters/dynamo): no Scan, no DescribeTable (it
 * creates no table), no ConditionCheckItem (it writes no transaction). A test compares this list
 * with the commands those adapters send.
 */
export const ADMINISTRATOR_DYNAMODB_ACTIONS = [
  'dynamodb:BatchGetItem',
  'dynamodb:GetItem',
  'dynamodb:Query',
  'dynamodb:BatchWriteItem',
  'dynamodb:DeleteItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
] as const;

/**
 * What the admin CLI (`idgov --aws`) needs and nothing more, as a managed policy that operators
 * attach to their user, group, role or SSO permission set: read and write the tables (the
 * actions the CLI sends: no Scan), append to and read the audit log (AUDIT_APPEND_ACCESS: no
 * UpdateItem, DeleteItem or BatchWriteItem on it), their key through DynamoDB only, read the outputs of the two
 * stacks, and invoke the functions the CLI runs (`controller run`, `job run`, `emergency revoke`).
 *
 * Those functions live in the stateless stack, which depends on this one: naming their ARNs here
 * would be a dependency cycle. They are selected instead by two tags: `aws:cloudformation:stack-name`,
 * which CloudFormation puts on every function it creates for a stack and nobody can set or change
 * (an `aws:` tag), and ADMIN_INVOCABLE_TAG, which the stateless stack puts on those functions only
 * (allowAdministratorsToInvoke). Administrators may not tag functions, so they cannot extend the
 * grant to the approver API function. A name prefix would not do: CloudFormation generates the
 * names and shortens long stack names in them.
 */
export class AdministratorsPolicy extends Construct {
  readonly policy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: AdministratorsPolicyProps) {
    super(scope, id);
    const stack = Stack.of(this);

    if (props.tables.some(({ definition }) => definition.id === props.auditLog.definition.id)) {
      throw new Error('AdministratorsPolicy: the audit log is append-only; pass it as auditLog, not among the tables');
    }
    const tableResources = props.tables.flatMap(({ table, definition }) => tableAndIndexArns(table, definition));

    this.policy = new ManagedPolicy(this, 'Policy', {
      managedPolicyName: props.policyName,
      description: 'Identity governance administrators: what the idgov CLI needs on this deployment (attach it to the operators)',
      statements: [
        new PolicyStatement({
          sid: 'ReadWriteTables',
          actions: [...ADMINISTRATOR_DYNAMODB_ACTIONS],
          resources: tableResources,
        }),
        new PolicyStatement({
          sid: 'AppendToAuditLog',
          actions: dynamoDbActionsOf(AUDIT_APPEND_ACCESS),
          resources: tableAndIndexArns(props.auditLog.table, props.auditLog.definition),
        }),
        new PolicyStatement({
          sid: 'UseTableKeyThroughDynamoDB',
          actions: [...KMS_READ_ACTIONS, ...KMS_WRITE_ACTIONS],
          resources: [props.tableKey.keyArn],
          conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${stack.region}.amazonaws.com` } },
        }),
        new PolicyStatement({
          sid: 'ReadStackOutputs',
          actions: ['cloudformation:DescribeStacks'],
          resources: [
            Aws.STACK_ID,
            // A stack's ARN ends with a unique id given at its creation; the other stack's is not known here.
            stack.formatArn({ service: 'cloudformation', resource: 'stack', resourceName: `${props.statelessStackName}/*` }),
          ],
        }),
        new PolicyStatement({
          sid: 'InvokeAdminInvocableFunctions',
          actions: ['lambda:InvokeFunction'],
          resources: [
            stack.formatArn({ service: 'lambda', resource: 'function', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          ],
          conditions: {
            StringEquals: {
              [`aws:ResourceTag/${STACK_NAME_TAG}`]: props.statelessStackName,
              [`aws:ResourceTag/${ADMIN_INVOCABLE_TAG.key}`]: ADMIN_INVOCABLE_TAG.value,
            },
          },
        }),
      ],
    });

    Validations.of(this.policy).acknowledge(
      {
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:cloudformation:<AWS::Region>:<AWS::AccountId>:stack/${props.statelessStackName}/*]`,
        reason:
          'DescribeStacks on the stateless stack by its name: the trailing "*" stands for the unique id CloudFormation ' +
          'gives the stack at creation, which this stack cannot reference (the stateless stack depends on it).',
      },
      {
        id: 'AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:lambda:<AWS::Region>:<AWS::AccountId>:function:*]',
        reason:
          'InvokeFunction only on the functions the CLI runs (the scheduled jobs and emergency access): functions tagged ' +
          'both aws:cloudformation:stack-name = the stateless stack (set by CloudFormation only) and ' +
          `${ADMIN_INVOCABLE_TAG.key} = ${ADMIN_INVOCABLE_TAG.value} (never on the approver API; the policy grants no ` +
          'tagging). Their ARNs cannot be named here without a dependency cycle, and their generated names shorten long ' +
          'stack names, so no name prefix is reliable.',
      },
    );
  }
}
