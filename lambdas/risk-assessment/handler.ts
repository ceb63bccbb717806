// The risk assessment Lambda (daily, before the report): recognises its event (scheduled, or a
// manual test event), builds its dependencies once per container, and assesses every user as of the
// event's date with the stored operations configuration, recorded as a run of 'risk-assessment'.
import { Logger } from '@aws-lambda-powertools/logger';
import { createJobHandler } from '../shared/adapters/job-handler.js';
import { SERVICE_NAME } from '../shared/config/tables.js';
import { assessRisk, type AssessRiskResult } from '../shared/use-cases/assess-risk.js';
import { loadOperationsConfig } from '../shared/use-cases/operations-config.js';
import { buildRiskAssessmentDependencies, type RiskAssessmentDependencies } from './dependencies.js';
import { readRiskAssessmentEnvironment } from './environment.js';

const logger = new Logger({ serviceName: SERVICE_NAME });

/** The handler over a dependency factory called once per container (tests inject their own). */
export const createHandler = (build: () => RiskAssessmentDependencies | Promise<RiskAssessmentDependencies>) =>
  createJobHandler<RiskAssessmentDependencies, AssessRiskResult>(
    {
      job: 'risk-assessment',
      run: async (deps, clock) => assessRisk({ ...deps, clock }, await loadOperationsConfig(deps.operations)),
      summarize: (result) => ({
        date: result.date,
        users: result.users,
        usersByLevel: result.usersByLevel,
        sodConflicts: result.sodConflicts,
        orphanedAccess: result.orphanedAccess,
        resumed: result.resumed,
      }),
    },
    build,
  );

/** The deployed wiring: environment read and dependencies built at the first event. */
export const buildDependencies = (overrides: Partial<RiskAssessmentDependencies> = {}) =>
  buildRiskAssessmentDependencies(readRiskAssessmentEnvironment(), logger, overrides);

export const createHandlerFromEnvironment = (overrides: Partial<RiskAssessmentDependencies> = {}) =>
  createHandler(() => buildDependencies(overrides));

export const handler = createHandlerFromEnvironment();
