// Reading and checking a stored audit chain (docs/reference/audit-log.md, "Verifying a chain"): which
// chain an id names, its records, and whether they still hash and link as they were written.
import { UnreadableAuditRecordError } from '../../domain/audit/append-rules.js';
import { verifyChain, type ChainProblem } from '../../domain/audit/chain.js';
import { runChain, type AuditChainId, type AuditRecord } from '../../domain/audit/model.js';
import { NotFoundError } from '../../domain/errors.js';
import type { AuditLog, CampaignStore } from '../ports.js';

/** `run:<runId>`, `privilege:<id>` and `admin` name a chain as they are. */
export function asChainId(value: string): AuditChainId | undefined {
  return /^(run|privilege):.+$/.test(value) || value === 'admin' ? (value as AuditChainId) : undefined;
}

/**
 * The chain an operator names: a chain id as it is, else a campaign id, whose chain is its run's
 * (an archived run's id names the run it archived; a cleaned-up campaign keeps its record and so its runId).
 */
export async function resolveAuditChain(campaigns: Pick<CampaignStore, 'getCampaign'>, idOrChain: string): Promise<{ chainId: AuditChainId; campaignId?: string }> {
  const chainId = asChainId(idOrChain);
  if (chainId) return { chainId };
  const campaign = await campaigns.getCampaign(idOrChain);
  if (!campaign) throw new NotFoundError('campaign (or chain run:<runId>, privilege:<id>, admin)', idOrChain);
  return { chainId: runChain(campaign.runId), campaignId: campaign.id };
}

export async function readChain(log: AuditLog, chainId: AuditChainId, range: { fromSeq?: number; toSeq?: number } = {}): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  for await (const page of log.listRecords(chainId, range)) records.push(...page);
  return records;
}

export type ChainVerification =
  | { ok: true; chainId: AuditChainId; records: number; head?: AuditRecord }
  | { ok: false; chainId: AuditChainId; records: number; problem: Pick<ChainProblem, 'seq' | 'reason'> };

/**
 * Every record of the chain, checked in order from seq 1: numbering without gaps, each record's
 * hash, each link. A record the log cannot read back (changed in its table into something that is
 * no record) is a problem of that record, named by its seq, as is one that does not hash.
 */
export async function verifyStoredChain(log: AuditLog, chainId: AuditChainId): Promise<ChainVerification> {
  let records: AuditRecord[];
  try {
    records = await readChain(log, chainId);
  } catch (error) {
    if (!(error instanceof UnreadableAuditRecordError) || error.seq === undefined) throw error;
    // The first record that cannot be read: a problem before it comes first.
    const before = error.seq > 1 ? await readChain(log, chainId, { toSeq: error.seq - 1 }) : [];
    const earlier = verifyChain(before, chainId);
    const problem = earlier ?? { seq: error.seq, reason: `cannot be read (it was changed in the table): ${error.detail}` };
    return { ok: false, chainId, records: before.length, problem: { seq: problem.seq, reason: problem.reason } };
  }
  const problem = verifyChain(records, chainId);
  if (problem) return { ok: false, chainId, records: records.length, problem: { seq: problem.seq, reason: problem.reason } };
  return { ok: true, chainId, records: records.length, head: records.at(-1) };
}
