// The daily operations Lambda (08:00 UTC): recognises its event (scheduled, or a manual test event),
// builds its dependencies once per container, and builds, stores and delivers the daily report as of
// the event's instant with the stored operations configuration, recorded as a run of 'daily-operations'.
import { Logger } from '@aws-lambda-powertools/logger';
import { createJobHandler } from '../shared/adapters/job-handler.js';
import { SERVICE_NAME } from '../shared/config/tables.js';
import { runDailyOperations } from '../shared/use-cases/daily-operations.js';
import { loadOperationsConfig } from '../shared/use-cases/operations-config.js';
import { buildDailyOperationsDependencies, type DailyOperationsDependencies } from './dependencies.js';
import { readDailyOperationsEnvironment } from './environment.js';

const logger = new Logger({ serviceName: SERVICE_NAME });

type DailyOperationsResult = Awaited<ReturnType<typeof runDailyOperations>>;

/** The handler over a dependency factory called once per container (tests inject their own). */
export const createHandler = (build: () => DailyOperationsDependencies | Promise<DailyOperationsDependencies>) =>
  createJobHandler<DailyOperationsDependencies, DailyOperationsResult>(
    {
      job: 'daily-operations',
      run: async (deps, clock) => runDailyOperations({ ...deps, clock }, await loadOperationsConfig(deps.operations)),
      summarize: ({ report, delivered }) => ({
        date: report.date,
        health: report.health.status,
        complianceScore: report.compliance.score,
        delivered,
      }),
    },
    build,
  );

/** The deployed wiring: environment read and dependencies built at the first event. */
export const buildDependencies = (overrides: Partial<DailyOperationsDependencies> = {}) =>
  buildDailyOperationsDependencies(readDailyOperationsEnvironment(), logger, overrides);

export const createHandlerFromEnvironment = (overrides: Partial<DailyOperationsDependencies> = {}) =>
  createHandler(() => buildDependencies(overrides));

export const handler = createHandlerFromEnvironment();
