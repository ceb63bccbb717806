import { ArnFormat, Aws, Stack, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { ManagedPolicy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Construct } from 'constructs';
import type { TableDefinition } from '../../lambdas/shared/config/tables.js';
import {
  DYNAMODB_READ_ACTIONS,
  DYNAMODB_WRITE_ACTIONS,
  KMS_READ_ACTIONS,
  KMS_WRITE_ACTIONS,
} from './app-function.js';

export interface AdministratorsPolicyProps {
  /** IAM name of the policy (`IdGovAdministrators` by default, lib/stack-outputs.ts). */
  readonly policyName: string;
  /** The product's tables, each with the definition it was built from. */
  readonly tables: readonly { readonly table: ITable; readonly definition: TableDefinition }[];
  /** The customer-managed key of the tables. */
  readonly tableKey: IKey;
  /** Name of the stateless stack, whose functions the administrators may invoke. */
  readonly statelessStackName: string;
}

/** The CloudFormation tag on every resource of a stack, set by CloudFormation itself. */
const STACK_NAME_TAG = 'aws:cloudformation:stack-name';

/**
 * What the admin CLI (`idgov --aws`) needs and nothing more, as a managed policy that operators
 * attach to their user, group, role or SSO permission set: read and write the two tables (the
 * functions' action lists: no Scan), their key through DynamoDB only, read the outputs of the two
 * stacks, and invoke the product's functions (`controller run` invokes the deployed controller).
 *
 * The functions live in the stateless stack, which depends on this one: naming their ARNs here
 * would be a dependency cycle. They are selected instead by the tag `aws:cloudformation:stack-name`
 * that CloudFormation puts on every function it creates for a stack: nobody can set or change an
 * `aws:` tag, so the grant covers exactly the functions of the stateless stack, whatever names
 * CloudFormation generated for them (it shortens long stack names in them, so a name prefix would
 * not be reliable).
 */
export class AdministratorsPolicy extends Construct {
  readonly policy: ManagedPolicy;

  constructor(scope: Construct, id: string, props: AdministratorsPolicyProps) {
    super(scope, id);
    const stack = Stack.of(this);

    const tableResources = props.tables.flatMap(({ table, definition }) => [
      table.tableArn,
      ...definition.indexes.map((index) => `${table.tableArn}/index/${index.indexName}`),
    ]);

    this.policy = new ManagedPolicy(this, 'Policy', {
      managedPolicyName: props.policyName,
      description: 'Identity governance administrators: what the idgov CLI needs on this deployment (attach it to the operators)',
      statements: [
        new PolicyStatement({
          sid: 'ReadWriteTables',
          actions: [...DYNAMODB_READ_ACTIONS, ...DYNAMODB_WRITE_ACTIONS],
          resources: tableResources,
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
          sid: 'InvokeProductFunctions',
          actions: ['lambda:InvokeFunction'],
          resources: [
            stack.formatArn({ service: 'lambda', resource: 'function', resourceName: '*', arnFormat: ArnFormat.COLON_RESOURCE_NAME }),
          ],
          conditions: { StringEquals: { [`aws:ResourceTag/${STACK_NAME_TAG}`]: props.statelessStackName } },
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
          'InvokeFunction only on functions tagged aws:cloudformation:stack-name = the stateless stack (a condition ' +
          'no one can forge: aws: tags are set by CloudFormation only); their ARNs cannot be named here without a ' +
          'dependency cycle, and their generated names shorten long stack names, so no name prefix is reliable.',
      },
    );
  }
}
