// The archive-evidence function's environment (set by lib/constructs/evidence-archiver.ts and AppFunction):
// the tables a run's report and audit chain are read from, the audit log it appends to, where packs
// are archived and what signs them, and the function that draws the report page's charts.
import * as z from 'zod';
import { ENV } from '../shared/config/tables.js';
import { readEnvironment } from '../shared/adapters/environment.js';

const ARCHIVE_EVIDENCE_ENVIRONMENT = {
  /** Approvers' names, for the reviewer analytics of the report. */
  directoryTable: { variable: ENV.directoryTable, schema: z.string() },
  campaignTable: { variable: ENV.campaignTable, schema: z.string() },
  auditTable: { variable: ENV.auditTable, schema: z.string() },
  reportsBucket: { variable: ENV.reportsBucket, schema: z.string() },
  evidenceKeyId: { variable: ENV.evidenceKeyId, schema: z.string() },
  reportChartsFunction: { variable: ENV.reportChartsFunction, schema: z.string() },
};

export type ArchiveEvidenceEnvironment = ReturnType<typeof readArchiveEvidenceEnvironment>;

export function readArchiveEvidenceEnvironment(env: NodeJS.ProcessEnv = process.env) {
  return readEnvironment(ARCHIVE_EVIDENCE_ENVIRONMENT, env);
}
