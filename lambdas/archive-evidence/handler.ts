// The archive-evidence Lambda: recognises its event, builds its dependencies once per container, and
// archives the campaign's DELETED run's evidence pack in the reports bucket. The controller invokes it
// synchronously before a run's cleanup (LambdaEvidenceArchiver); an operator may too. Answers the
// archived evidence, or { "status": "WAITING" } while a notification of the run is unsent.
import { Logger } from '@aws-lambda-powertools/logger';
import { SERVICE_NAME } from '../shared/config/tables.js';
import { archiveCampaignEvidence } from '../shared/use-cases/evidence/archive-evidence.js';
import { buildArchiveEvidenceDependencies, type ArchiveEvidenceDependencies } from './dependencies.js';
import { readArchiveEvidenceEnvironment } from './environment.js';
import { parseArchiveEvidenceEvent } from './event.js';

const logger = new Logger({ serviceName: SERVICE_NAME });

/** The handler over a dependency factory called once per container (tests inject their own). */
export function createHandler(build: () => ArchiveEvidenceDependencies | Promise<ArchiveEvidenceDependencies>) {
  let dependencies: ArchiveEvidenceDependencies | undefined;
  return async (event: unknown) => {
    // A bad event is refused before anything is built, read or written.
    const { campaignId, runId, now } = parseArchiveEvidenceEvent(event);
    const deps = (dependencies ??= await build());
    const evidence = await archiveCampaignEvidence(deps, { campaignId, runId, now: now ? new Date(now) : deps.clock.now() });
    deps.log.info(evidence ? 'evidence archived' : 'evidence waits for the run\'s notifications', { campaignId, runId, location: evidence?.location });
    return evidence ?? { status: 'WAITING' as const };
  };
}

/** The deployed wiring: environment read and dependencies built at the first event. */
export const buildDependencies = (overrides: Partial<ArchiveEvidenceDependencies> = {}) =>
  buildArchiveEvidenceDependencies(readArchiveEvidenceEnvironment(), logger, overrides);

export const createHandlerFromEnvironment = (overrides: Partial<ArchiveEvidenceDependencies> = {}) =>
  createHandler(() => buildDependencies(overrides));

export const handler = createHandlerFromEnvironment();
