// The CDK app: `npx cdk synth` / `npx cdk deploy --all`. cdk-nag AwsSolutions runs on every synth.
import { App, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { StatefulStack } from '../lib/stacks/stateful-stack.js';
import { StatelessStack } from '../lib/stacks/stateless-stack.js';
import { evidenceExportNames, STACK_PREFIX_CONTEXT, stackNamesFromContext } from '../lib/stack-outputs.js';

const app = new App();

// `-c idgov:stackPrefix=Acme` deploys AcmeStateful and AcmeStateless (and the AcmeAdministrators
// policy); `idgov --aws --stack-prefix Acme` finds them.
const names = stackNamesFromContext(app.node.tryGetContext(STACK_PREFIX_CONTEXT));

// Environment-agnostic on purpose: account and region come from the deploying credentials, so one
// synthesized template deploys anywhere and offline synth bakes in nothing.
const stateful = new StatefulStack(app, names.stateful, { stackNames: names });
new StatelessStack(app, names.stateless, {
  directoryTable: stateful.tables.directoryTable,
  campaignTable: stateful.tables.campaignTable,
  operationsTable: stateful.tables.operationsTable,
  auditTable: stateful.tables.auditTable,
  alarmsTopic: stateful.topics.alarmsTopic,
  operationsTopic: stateful.topics.operationsTopic,
  runbooksBucket: stateful.runbooks.bucket,
  evidenceExports: evidenceExportNames(stateful.stackName),
  approverIdentity: stateful.approverIdentity,
  approverPortal: stateful.approverPortal,
});

// Any unacknowledged finding fails the synth. Acknowledgements (one finding each, with its reason)
// are also written into the templates' Metadata, so that auditors see them next to the resource.
Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { writeSuppressionsToCloudFormation: true }));
