// The weekly summary Lambda (Monday 09:00 UTC): recognises its event (scheduled, or a manual test
// event), builds its dependencies once per container, and summarises the seven daily reports up to
// the event's date, stored and delivered, recorded as a run of 'weekly-summary'.
import { Logger } from '@aws-lambda-powertools/logger';
import { createJobHandler } from '../shared/adapters/job-handler.js';
import { SERVICE_NAME } from '../shared/config/tables.js';
import { loadOperationsConfig } from '../shared/use-cases/operations-config.js';
import { runWeeklySummary } from '../shared/use-cases/weekly-summary.js';
import { buildWeeklySummaryDependencies, type WeeklySummaryDependencies } from './dependencies.js';
import { readWeeklySummaryEnvironment } from './environment.js';

const logger = new Logger({ serviceName: SERVICE_NAME });

type WeeklySummaryResult = Awaited<ReturnType<typeof runWeeklySummary>>;

/** The handler over a dependency factory called once per container (tests inject their own). */
export const createHandler = (build: () => WeeklySummaryDependencies | Promise<WeeklySummaryDependencies>) =>
  createJobHandler<WeeklySummaryDependencies, WeeklySummaryResult>(
    {
      job: 'weekly-summary',
      run: async (deps, clock) => runWeeklySummary({ ...deps, clock }, await loadOperationsConfig(deps.operations)),
      summarize: ({ summary, delivered }) => ({ date: summary.date, missingDates: summary.missingDates.length, delivered }),
    },
    build,
  );

/** The deployed wiring: environment read and dependencies built at the first event. */
export const buildDependencies = (overrides: Partial<WeeklySummaryDependencies> = {}) =>
  buildWeeklySummaryDependencies(readWeeklySummaryEnvironment(), logger, overrides);

export const createHandlerFromEnvironment = (overrides: Partial<WeeklySummaryDependencies> = {}) =>
  createHandler(() => buildDependencies(overrides));

export const handler = createHandlerFromEnvironment();
