// The campaign controller Lambda: recognises its event (scheduled, a manual test event, or its own
// continuation), builds its dependencies once per container, and runs one controller pass at the
// event's time within the invocation's time budget, recorded as a run of the job
// 'campaign-controller' (SKIPPED when another run held the lease). A pass that ran out of budget
// continues in a new invocation (job-handler.ts).
import { Logger } from '@aws-lambda-powertools/logger';
import { createJobHandler, type InvocationContext } from '../shared/adapters/job-handler.js';
import { SERVICE_NAME } from '../shared/config/tables.js';
import { runCampaignController, type ControllerReport } from '../shared/use-cases/campaign-controller.js';
import type { LeaseHolder } from '../shared/use-cases/ports.js';
import { buildControllerDependencies, type ControllerDependencies } from './dependencies.js';
import { readControllerEnvironment } from './environment.js';

const logger = new Logger({ serviceName: SERVICE_NAME });

/** The handler over a dependency factory called once per container (tests inject their own). */
export const createHandler = (build: () => ControllerDependencies | Promise<ControllerDependencies>) =>
  createJobHandler<ControllerDependencies, ControllerReport>(
    {
      job: 'campaign-controller',
      // The dependencies may name another lease holder (the local runtime names its process).
      run: (deps, clock, context, budget) => runCampaignController({ leaseHolder: invocationOf(context), ...deps, clock, ...(budget ? { budget } : {}) }),
      summarize: (report) => ({
        transitions: report.transitions.length,
        errors: report.errors.length,
        ...(report.dispatch ? { sent: report.dispatch.sent, sendFailed: report.dispatch.failed } : {}),
        ...(report.reason ? { reason: report.reason } : {}),
        ...(report.continue ? { continue: true } : {}),
      }),
      outcomeOf: (report) => (report.status === 'SKIPPED' ? 'SKIPPED' : 'SUCCEEDED'),
      continues: (report) => report.continue === true,
    },
    build,
  );

/** The lease names the invocation that holds it, so that an operator can find its log. */
const invocationOf = (context?: InvocationContext): LeaseHolder => ({
  kind: 'lambda',
  ...(context?.awsRequestId ? { requestId: context.awsRequestId } : {}),
  ...(context?.logStreamName ? { logStream: context.logStreamName } : {}),
});

/**
 * The deployed wiring: environment read and dependencies built at the first event. `overrides`
 * replace dependencies (the local runtime passes its hook invoker and lease holder; tests their ports).
 */
export const buildDependencies = (overrides: Partial<ControllerDependencies> = {}) =>
  buildControllerDependencies(readControllerEnvironment(), logger, overrides);

export const createHandlerFromEnvironment = (overrides: Partial<ControllerDependencies> = {}) =>
  createHandler(() => buildDependencies(overrides));

export const handler = createHandlerFromEnvironment();
