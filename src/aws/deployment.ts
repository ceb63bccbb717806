// A deployed stack as the admin CLI (`idgov --aws`) sees it: the outputs of the two stacks, read
// from a `cdk deploy --outputs-file` JSON or with CloudFormation DescribeStacks. The stack names and
// output keys come from lib/stack-outputs.ts, which the stacks are built from.
import { readFile } from 'node:fs/promises';
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { AUDIT_TABLE, CAMPAIGN_TABLE, DIRECTORY_TABLE, OPERATIONS_TABLE, type TableDefinition } from '../../lambdas/shared/config/tables.js';
import { ValidationError } from '../../lambdas/shared/domain/errors.js';
import type { JobName } from '../../lambdas/shared/domain/operations.js';
import {
  DEFAULT_STACK_PREFIX,
  STATEFUL_OUTPUTS,
  STATELESS_OUTPUTS,
  stackNames,
  stackPrefixProblem,
  tableNameOutputKey,
  type StackNames,
} from '../../lib/stack-outputs.js';
import { RemoteCallError, setupHint } from './remote-call-error.js';

type Outputs = Readonly<Record<string, string>>;
type Env = Readonly<Record<string, string | undefined>>;
type Role = 'stateful' | 'stateless';

/** One stack's outputs, or why there are none (the stack is absent). */
interface StackOutputs {
  name: string;
  outputs?: Outputs;
  /** Said after "stack NAME" when an output is missing, e.g. " (status UPDATE_ROLLBACK_COMPLETE)". */
  detail?: string;
}

export interface ReadDeploymentOptions {
  /** The `cdk deploy --outputs-file` JSON; without it the stacks are read with DescribeStacks. */
  outputsFile?: string;
  /** The stacks are `<prefix>Stateful` and `<prefix>Stateless`. @default 'IdGov' */
  stackPrefix?: string;
  /** Environment variables: DIRECTORY_TABLE_NAME / CAMPAIGN_TABLE_NAME / OPERATIONS_TABLE_NAME override the outputs. @default process.env */
  env?: Env;
  /** @default a client for the SDK's default region and credentials */
  cloudFormation?: CloudFormationClient;
}

/** The output naming each scheduled job's function. */
const JOB_FUNCTION_OUTPUTS: Readonly<Record<JobName, string>> = {
  'campaign-controller': STATELESS_OUTPUTS.controllerFunctionName,
  'risk-assessment': STATELESS_OUTPUTS.riskAssessmentFunctionName,
  'daily-operations': STATELESS_OUTPUTS.dailyOperationsFunctionName,
  'weekly-summary': STATELESS_OUTPUTS.weeklySummaryFunctionName,
  'initialize-reapproval': STATELESS_OUTPUTS.initializeReapprovalFunctionName,
  'start-reapproval': STATELESS_OUTPUTS.startReapprovalFunctionName,
};

/** Reads the deployment's outputs; refuses, naming the option, file, stack or output, what it cannot use. */
export async function readDeployment(options: ReadDeploymentOptions = {}): Promise<Deployment> {
  const prefix = options.stackPrefix ?? DEFAULT_STACK_PREFIX;
  const problem = stackPrefixProblem(prefix);
  if (problem) throw new ValidationError(problem, 'stack-prefix');
  const names = stackNames(prefix);
  const env = options.env ?? process.env;
  if (options.outputsFile) return fromOutputsFile(options.outputsFile, names, env);

  const client = options.cloudFormation ?? new CloudFormationClient({});
  const owned = !options.cloudFormation;
  try {
    const region = await client.config.region().catch(() => undefined);
    const [stateful, stateless] = await Promise.all([
      describeStack(client, names.stateful, region),
      describeStack(client, names.stateless, region),
    ]);
    return new Deployment(`the stacks in ${region ?? 'the default region'}`, names, { stateful, stateless }, env, undefined);
  } finally {
    if (owned) client.destroy();
  }
}

async function fromOutputsFile(path: string, names: StackNames, env: Env): Promise<Deployment> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ValidationError(`cannot read ${path} (${(error as Error).message})`, 'outputs');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new ValidationError(`${path} is not JSON (${(error as Error).message})`, 'outputs');
  }
  if (!isRecord(json)) {
    throw new ValidationError(`${path} is not a \`cdk deploy --outputs-file\` JSON (an object with one object of outputs per stack)`, 'outputs');
  }
  const present = Object.keys(json);
  const stackFrom = (name: string): StackOutputs => {
    const section = json[name];
    if (section === undefined) {
      return { name, detail: ` is not in ${path} (it holds ${present.length ? present.join(', ') : 'no stack'}${renamedHint(present)})` };
    }
    if (!isRecord(section)) throw new ValidationError(`${path}: ${name} must be an object of outputs`, 'outputs');
    const outputs: Record<string, string> = {};
    for (const [key, value] of Object.entries(section)) if (typeof value === 'string') outputs[key] = value;
    return { name, outputs };
  };
  return new Deployment(path, names, { stateful: stackFrom(names.stateful), stateless: stackFrom(names.stateless) }, env, 'outputs');
}

/** A hint when the file holds stacks of a renamed deployment. */
function renamedHint(present: string[]): string {
  const prefixes = present.filter((name) => name.endsWith('Stateful')).map((name) => name.slice(0, -'Stateful'.length));
  const renamed = prefixes.filter((prefix) => prefix && present.includes(`${prefix}Stateless`));
  return renamed.length ? `; for those give --stack-prefix ${renamed.join(' or ')}` : '';
}

async function describeStack(client: CloudFormationClient, name: string, region: string | undefined): Promise<StackOutputs> {
  try {
    const { Stacks } = await client.send(new DescribeStacksCommand({ StackName: name }));
    const stack = Stacks?.[0];
    if (!stack) return { name, detail: ` was not found in ${region ?? 'the default region'}` };
    const outputs: Record<string, string> = {};
    for (const output of stack.Outputs ?? []) if (output.OutputKey && output.OutputValue !== undefined) outputs[output.OutputKey] = output.OutputValue;
    return { name, outputs, detail: ` (status ${stack.StackStatus})` };
  } catch (error) {
    const { name: errorName, message } = error as Error;
    // CloudFormation answers a stack it does not know with a ValidationError "Stack with id X does not exist".
    if (errorName === 'ValidationError' && /does not exist/i.test(message)) {
      return {
        name,
        detail:
          ` does not exist in ${region ?? 'the default region'} (deployed in another region? set AWS_REGION; ` +
          'renamed? give --stack-prefix; or give --outputs FILE from `cdk deploy --outputs-file FILE`)',
      };
    }
    throw new RemoteCallError(`cannot read the outputs of stack ${name}: ${errorName}: ${message}${setupHint(error as Error)}`, { cause: error });
  }
}

/** The deployment's outputs. Each getter refuses, naming the stack and output, when its value is missing. */
export class Deployment {
  constructor(
    /** Where the outputs came from, for messages: the outputs file or the stacks' region. */
    readonly source: string,
    readonly names: StackNames,
    private readonly stacks: Record<Role, StackOutputs>,
    private readonly env: Env,
    /** The CLI option that supplied the outputs, named in errors. */
    private readonly field: string | undefined,
  ) {}

  /** Table names: DIRECTORY_TABLE_NAME / CAMPAIGN_TABLE_NAME / OPERATIONS_TABLE_NAME / AUDIT_TABLE_NAME if set, else the stateful stack's outputs. */
  get tables(): { directory: string; campaign: string; operations: string; audit: string } {
    return {
      directory: this.tableName(DIRECTORY_TABLE),
      campaign: this.tableName(CAMPAIGN_TABLE),
      operations: this.tableName(OPERATIONS_TABLE),
      audit: this.tableName(AUDIT_TABLE),
    };
  }

  get controllerFunctionName(): string {
    return this.output('stateless', STATELESS_OUTPUTS.controllerFunctionName);
  }

  /** The deployed function of a scheduled job (`idgov --aws job run JOB` invokes it). */
  jobFunctionName(job: JobName): string {
    return this.output('stateless', JOB_FUNCTION_OUTPUTS[job]);
  }

  /** The emergency access removal function (`idgov --aws emergency revoke` invokes it). */
  get emergencyAccessFunctionName(): string {
    return this.output('stateless', STATELESS_OUTPUTS.emergencyAccessFunctionName);
  }

  get approverApiFunctionName(): string {
    return this.output('stateless', STATELESS_OUTPUTS.approverApiFunctionName);
  }

  get approverApiUrl(): string {
    return this.output('stateless', STATELESS_OUTPUTS.approverApiUrl);
  }

  /** The approver portal's base URL the deployed functions put in their mails' links (the portal the stateful stack hosts: output ApproverPortalBaseUrl). */
  get approverPortalUrl(): string {
    return this.output('stateless', STATELESS_OUTPUTS.approverPortalUrl);
  }

  get alarmsTopicArn(): string {
    return this.output('stateful', STATEFUL_OUTPUTS.alarmsTopicArn);
  }

  get operationsTopicArn(): string {
    return this.output('stateful', STATEFUL_OUTPUTS.operationsTopicArn);
  }

  get administratorsPolicyArn(): string {
    return this.output('stateful', STATEFUL_OUTPUTS.administratorsPolicyArn);
  }

  /** The bucket the runbooks are deployed to (sop/, runbooks/, templates/). */
  get runbooksBucketName(): string {
    return this.output('stateful', STATEFUL_OUTPUTS.runbooksBucketName);
  }

  /** The reports bucket, where the controller archives evidence packs. */
  get reportsBucketName(): string {
    return this.output('stateful', STATEFUL_OUTPUTS.reportsBucketName);
  }

  /** The KMS key that signs evidence manifests (`idgov --aws evidence public-key` exports its public half). */
  get evidenceKeyArn(): string {
    return this.output('stateful', STATEFUL_OUTPUTS.evidenceKeyArn);
  }

  private tableName(definition: TableDefinition): string {
    return this.env[definition.envVar] || this.output('stateful', tableNameOutputKey(definition));
  }

  private output(role: Role, key: string): string {
    const stack = this.stacks[role];
    if (!stack.outputs) throw new ValidationError(`stack ${stack.name}${stack.detail ?? ' has no outputs'}`, this.field);
    const value = stack.outputs[key];
    if (!value) {
      const where = this.field ? `${this.source}: ` : '';
      throw new ValidationError(
        `${where}stack ${stack.name}${this.field ? '' : (stack.detail ?? '')} has no output ${key} (deploy the current version: npx cdk deploy --all)`,
        this.field,
      );
    }
    return value;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
