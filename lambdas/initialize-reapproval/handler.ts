// The initialize-reapproval Lambda (daily, before start-reapproval): recognises its event (scheduled,
// a manual test event, or its own continuation), builds its dependencies once per container, and
// gives every flagged MANUAL assignment without re-approval state its next date or its place in the
// scheduled rounds, as of the event's instant, recorded as a run of 'initialize-reapproval'; out of
// time, it continues in a follow-up invocation.
import { Logger } from '@aws-lambda-powertools/logger';
import { createJobHandler } from '../shared/adapters/job-handler.js';
import { SERVICE_NAME } from '../shared/config/tables.js';
import { initializeReapproval, type InitializeReapprovalCursor, type InitializeReapprovalResult } from '../shared/use-cases/approvals/initialize-reapproval.js';
import { initializeReapprovalCursor } from './cursor.js';
import { buildInitializeReapprovalDependencies, type InitializeReapprovalDependencies } from './dependencies.js';
import { readInitializeReapprovalEnvironment } from './environment.js';

const logger = new Logger({ serviceName: SERVICE_NAME });

/** The handler over a dependency factory called once per container (tests inject their own). */
export const createHandler = (build: () => InitializeReapprovalDependencies | Promise<InitializeReapprovalDependencies>) =>
  createJobHandler<InitializeReapprovalDependencies, InitializeReapprovalResult, InitializeReapprovalCursor>(
    {
      job: 'initialize-reapproval',
      run: (deps, clock, _context, budget, resume) => initializeReapproval(deps, clock.now(), { ...(budget ? { budget } : {}), ...(resume ? { resume } : {}) }),
      // Out of time, it continues from the cursor its result gives (carried in the continuation event).
      cursor: { schema: initializeReapprovalCursor, of: (r) => r.resume },
      summarize: ({ privileges, initialized, continuous, scheduled, reset, resume }) => ({ privileges, initialized, continuous, scheduled, reset, ...(resume ? { continues: true } : {}) }),
    },
    build,
  );

/** The deployed wiring: environment read and dependencies built at the first event. */
export const buildDependencies = (overrides: Partial<InitializeReapprovalDependencies> = {}) =>
  buildInitializeReapprovalDependencies(readInitializeReapprovalEnvironment(), logger, overrides);

export const createHandlerFromEnvironment = (overrides: Partial<InitializeReapprovalDependencies> = {}) =>
  createHandler(() => buildDependencies(overrides));

export const handler = createHandlerFromEnvironment();
