import {
  Aws,
  CfnCondition,
  CfnOutput,
  CfnParameter,
  CrossStackReferences,
  Fn,
  ReferenceStrength,
  Stack,
  type StackProps,
  Token,
} from 'aws-cdk-lib';
import type { IUserPool, IUserPoolClient } from 'aws-cdk-lib/aws-cognito';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import type { Construct } from 'constructs';
import { allowAdministratorsToInvoke } from '../constructs/administrators-policy.js';
import { ApproverApi } from '../constructs/approver-api.js';
import { CampaignController } from '../constructs/campaign-controller.js';
import { STATELESS_OUTPUTS } from '../stack-outputs.js';

// The output keys are defined with the stack names in lib/stack-outputs.ts, which the CLI reads too.
export { STATELESS_OUTPUTS };
import { tagComponent } from './tags.js';

export interface StatelessStackProps extends StackProps {
  readonly directoryTable: ITable;
  readonly campaignTable: ITable;
  readonly alarmsTopic: ITopic;
  /** The approvers' user pool and portal client (stateful stack): the approver API's authorizer. */
  readonly approverIdentity: { readonly userPool: IUserPool; readonly userPoolClient: IUserPoolClient };
}

/** CloudFormation parameters of the stateless stack: deployment settings, not code. */
export const STATELESS_PARAMETERS = {
  senderAddress: 'SenderAddress',
  sesConfigurationSet: 'SesConfigurationSet',
  approverPortalUrl: 'ApproverPortalUrl',
  hookFunctionArns: 'HookFunctionArns',
  controllerReservedConcurrency: 'ControllerReservedConcurrency',
} as const;

/**
 * Functions, schedules and alarms: everything that can be destroyed and redeployed without
 * losing data. The SES settings live here as parameters because they are configuration that
 * operators change; as parameters of the stateful stack they would be cross-stack exports,
 * which CloudFormation refuses to change while this stack imports them.
 */
export class StatelessStack extends Stack {
  readonly controller: CampaignController;
  readonly approverApi: ApproverApi;

  constructor(scope: Construct, id: string, props: StatelessStackProps) {
    super(scope, id, {
      description: 'Identity governance: functions, schedules and alarms (stateless)',
      ...props,
    });
    tagComponent(this, 'stateless');
    // Strong (exports/imports): the stateful stack cannot be removed while functions use its tables.
    CrossStackReferences.of(this).consume(ReferenceStrength.STRONG);

    const senderAddress = new CfnParameter(this, STATELESS_PARAMETERS.senderAddress, {
      type: 'String',
      description:
        'From address of every notification. Verify it in SES, as an address or through its domain, before the first run.',
      allowedPattern: '^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$',
      constraintDescription: 'must be an email address such as governance@example.com',
    });
    const configurationSet = new CfnParameter(this, STATELESS_PARAMETERS.sesConfigurationSet, {
      type: 'String',
      default: '',
      description: 'Optional SES configuration set used for every send (empty for none).',
      allowedPattern: '^[a-zA-Z0-9_-]{0,64}$',
      constraintDescription: 'must be an SES configuration set name or empty',
    });
    const approverPortalUrl = new CfnParameter(this, STATELESS_PARAMETERS.approverPortalUrl, {
      type: 'String',
      description: 'Base URL of the approver portal, used for links in notification emails.',
      allowedPattern: '^https://[^\\s]+$',
      constraintDescription: 'must be an https:// URL',
    });
    const hookFunctionArns = new CfnParameter(this, STATELESS_PARAMETERS.hookFunctionArns, {
      type: 'CommaDelimitedList',
      default: '',
      description:
        'Lambda functions that campaigns may name as hooks (docs/hooks/README.md): comma-separated full ARNs, ' +
        'with the version or alias if campaigns name one. The controller may invoke exactly these. Empty: none.',
      // Checked for each element of the list; the empty default is one empty element.
      allowedPattern:
        '^(arn:aws[a-z-]*:lambda:[a-z]{2}(-[a-z]+)+-[0-9]:[0-9]{12}:function:[A-Za-z0-9_-]{1,64}(:([$]LATEST|[A-Za-z0-9_-]{1,128}))?)?$',
      constraintDescription:
        'must be Lambda function ARNs (arn:aws:lambda:REGION:ACCOUNT:function:NAME[:ALIAS_OR_VERSION]) separated by commas',
    });
    const reservedConcurrency = new CfnParameter(this, STATELESS_PARAMETERS.controllerReservedConcurrency, {
      type: 'String',
      default: '0',
      description:
        'Reserved concurrency of the campaign controller; 0 (default) leaves it unreserved (the lease keeps runs ' +
        'single anyway). Lambda keeps 100 executions unreserved per account, so reserving needs a concurrency ' +
        'quota above 100 (new accounts may have 10).',
      allowedPattern: '^(0|[1-9][0-9]{0,3})$',
      constraintDescription: 'must be a whole number from 0 to 9999 without leading zeros',
    });
    const hasReservedConcurrency = new CfnCondition(this, 'HasControllerReservedConcurrency', {
      expression: Fn.conditionNot(Fn.conditionEquals(reservedConcurrency.valueAsString, '0')),
    });
    const hasConfigurationSet = new CfnCondition(this, 'HasSesConfigurationSet', {
      expression: Fn.conditionNot(Fn.conditionEquals(configurationSet.valueAsString, '')),
    });

    this.controller = new CampaignController(this, 'CampaignController', {
      directoryTable: props.directoryTable,
      campaignTable: props.campaignTable,
      alarmTopic: props.alarmsTopic,
      approverPortalUrl: approverPortalUrl.valueAsString,
      hookFunctionArns: hookFunctionArns.valueAsList,
      reservedConcurrentExecutions: Token.asNumber(
        Fn.conditionIf(hasReservedConcurrency.logicalId, reservedConcurrency.valueAsString, Aws.NO_VALUE),
      ),
      sender: {
        address: senderAddress.valueAsString,
        configurationSetName: configurationSet.valueAsString,
        configurationSetArn: Fn.conditionIf(
          hasConfigurationSet.logicalId,
          this.formatArn({
            service: 'ses',
            resource: 'configuration-set',
            resourceName: configurationSet.valueAsString,
          }),
          Aws.NO_VALUE,
        ).toString(),
      },
    });

    // `idgov --aws controller run` invokes it (the IdGovAdministrators policy); no other function.
    allowAdministratorsToInvoke(this.controller.function);

    this.approverApi = new ApproverApi(this, 'ApproverApi', {
      directoryTable: props.directoryTable,
      campaignTable: props.campaignTable,
      userPool: props.approverIdentity.userPool,
      userPoolClient: props.approverIdentity.userPoolClient,
      approverPortalUrl: approverPortalUrl.valueAsString,
    });

    new CfnOutput(this, STATELESS_OUTPUTS.approverApiUrl, {
      description: 'Approver API base URL (send the Cognito ID token as "Authorization: Bearer <token>")',
      value: this.approverApi.url,
    });
    new CfnOutput(this, STATELESS_OUTPUTS.approverApiFunctionName, {
      description: 'Approver API function',
      value: this.approverApi.function.functionName,
    });
    new CfnOutput(this, STATELESS_OUTPUTS.approverPortalUrl, {
      description: 'Base URL of the approver portal (parameter ApproverPortalUrl): the link in the mails `idgov --aws` queues',
      value: approverPortalUrl.valueAsString,
    });
    new CfnOutput(this, STATELESS_OUTPUTS.controllerFunctionName, {
      description: 'Campaign controller function (invoke it to run the controller now)',
      value: this.controller.function.functionName,
    });
    new CfnOutput(this, STATELESS_OUTPUTS.controllerDeadLetterQueueUrl, {
      description: 'Dead-letter queue of the controller schedule',
      value: this.controller.job.deadLetterQueue.queueUrl,
    });
  }
}
