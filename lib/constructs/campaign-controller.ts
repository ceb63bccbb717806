import { CfnCondition, Duration, Fn, Token } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Schedule } from 'aws-cdk-lib/aws-events';
import { type CfnPolicy, Policy, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { ITopic } from 'aws-cdk-lib/aws-sns';
import { Construct } from 'constructs';
import { CAMPAIGN_TABLE, DIRECTORY_TABLE, ENV } from '../../lambdas/shared/config/tables.js';
import { AppFunction, type EmailSender } from './app-function.js';
import { ScheduledJob } from './scheduled-job.js';

export interface CampaignControllerProps {
  readonly directoryTable: ITable;
  readonly campaignTable: ITable;
  readonly alarmTopic: ITopic;
  readonly sender: EmailSender;
  /** Base URL of the approver portal, used for links in notifications. */
  readonly approverPortalUrl: string;
  /**
   * The hook functions (docs/hooks) campaigns may name, as full ARNs (qualified for an alias or a
   * version): the controller may invoke these and nothing else. Usually the value of a
   * CommaDelimitedList parameter, which may be empty.
   * @default - no hook may be invoked
   */
  readonly hookFunctionArns?: string[];
}

/** How long one controller run may take. */
export const CONTROLLER_TIMEOUT = Duration.minutes(10);
/**
 * The controller's lease outlives its longest possible run by this margin, so that a run killed
 * at its timeout never overlaps the next holder of the lease.
 */
export const CONTROLLER_LEASE_MARGIN = Duration.minutes(1);

/**
 * The campaign controller: an hourly, single-instance job that drives every campaign through its
 * lifecycle. Reserved concurrency 1 keeps it single on AWS; the lease in the campaign table keeps
 * it single against manual runs too.
 */
export class CampaignController extends Construct {
  readonly function: AppFunction;
  readonly job: ScheduledJob;
  /** The grant on the hook functions; absent when there are none (an empty parameter deploys it conditionally). */
  readonly hookInvokePolicy?: Policy;

  constructor(scope: Construct, id: string, props: CampaignControllerProps) {
    super(scope, id);

    this.function = new AppFunction(this, 'Function', {
      entry: 'lambdas/campaign-controller/handler.ts',
      description: 'Starts, prepares, reminds, expires, finishes and recurs certification campaigns',
      timeout: CONTROLLER_TIMEOUT,
      memorySize: 1024,
      reservedConcurrentExecutions: 1,
      environment: {
        [ENV.approverPortalUrl]: props.approverPortalUrl,
        [ENV.leaseSeconds]: String(CONTROLLER_TIMEOUT.toSeconds() + CONTROLLER_LEASE_MARGIN.toSeconds()),
      },
    });
    this.function.bindTable(props.directoryTable, DIRECTORY_TABLE, 'RW');
    this.function.bindTable(props.campaignTable, CAMPAIGN_TABLE, 'RW');
    this.function.bindEmailSender(props.sender);

    this.hookInvokePolicy = this.allowHookInvocations(props.hookFunctionArns ?? []);

    this.job = new ScheduledJob(this, 'Schedule', {
      target: this.function,
      schedule: Schedule.rate(Duration.hours(1)),
      description: 'Hourly campaign controller run',
      alarmTopic: props.alarmTopic,
    });
  }

  /**
   * `lambda:InvokeFunction` on exactly the listed hook functions (never `*`, not even `<arn>:*`), in
   * a policy of its own: when the list is a parameter, a condition leaves the whole policy out while
   * the list is empty. A campaign that invokes an alias or version names that qualified ARN, and the
   * operator lists it as such; an unqualified ARN allows unqualified invocations only.
   */
  private allowHookInvocations(arns: string[]): Policy | undefined {
    const isParameter = Token.isUnresolved(arns);
    if (!isParameter && arns.length === 0) return undefined;
    const policy = new Policy(this, 'HookInvokePolicy', {
      roles: [this.function.serviceRole],
      statements: [new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: arns })],
    });
    if (isParameter) {
      const hasHooks = new CfnCondition(this, 'HasHookFunctions', {
        expression: Fn.conditionNot(Fn.conditionEquals(Fn.join('', arns), '')),
      });
      (policy.node.defaultChild as CfnPolicy).cfnOptions.condition = hasHooks;
    }
    return policy;
  }
}
