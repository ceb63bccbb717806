// The start-reapproval Lambda (daily, after initialize-reapproval): recognises its event (scheduled,
// a manual test event, or its own continuation), builds its dependencies once per container, and
// starts the re-approvals due at the event's instant, moves on the running ones and sends their
// mail, recorded as a run of 'start-reapproval'; out of time, it continues in a follow-up invocation.
import { Logger } from '@aws-lambda-powertools/logger';
import { createJobHandler } from '../shared/adapters/job-handler.js';
import { SERVICE_NAME } from '../shared/config/tables.js';
import { startReapproval, type StartReapprovalCursor, type StartReapprovalResult } from '../shared/use-cases/approvals/start-reapproval.js';
import { startReapprovalCursor } from './cursor.js';
import { buildStartReapprovalDependencies, type StartReapprovalDependencies } from './dependencies.js';
import { readStartReapprovalEnvironment } from './environment.js';

const logger = new Logger({ serviceName: SERVICE_NAME });

/** The handler over a dependency factory called once per container (tests inject their own). */
export const createHandler = (build: () => StartReapprovalDependencies | Promise<StartReapprovalDependencies>) =>
  createJobHandler<StartReapprovalDependencies, StartReapprovalResult, StartReapprovalCursor>(
    {
      job: 'start-reapproval',
      run: (deps, clock, _context, budget, resume) => startReapproval(deps, clock.now(), { ...(budget ? { budget } : {}), ...(resume ? { resume } : {}) }),
      // Out of time, it continues from the cursor its result gives (carried in the continuation event).
      cursor: { schema: startReapprovalCursor, of: (r) => r.resume },
      summarize: (r) => ({
        started: r.started.continuous + r.started.scheduled,
        ...(r.round ? { round: r.round.date, roundCompleted: r.round.completed } : {}),
        failed: r.failed,
        progressed: r.progressed,
        approved: r.approved,
        rejected: r.rejected,
        sent: r.dispatch.sent,
        sendFailed: r.dispatch.failed,
        ...(r.resume ? { continuesAt: r.resume.phase } : {}),
      }),
    },
    build,
  );

/** The deployed wiring: environment read and dependencies built at the first event. */
export const buildDependencies = (overrides: Partial<StartReapprovalDependencies> = {}) =>
  buildStartReapprovalDependencies(readStartReapprovalEnvironment(), logger, overrides);

export const createHandlerFromEnvironment = (overrides: Partial<StartReapprovalDependencies> = {}) =>
  createHandler(() => buildDependencies(overrides));

export const handler = createHandlerFromEnvironment();
