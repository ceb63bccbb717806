// The audit log in memory, for unit tests: the same numbering, linking and once-per-eventKey rule.
import { checkAuditAppend, checkSeqRange } from '../../domain/audit/append-rules.js';
import { sealRecord } from '../../domain/audit/chain.js';
import type { AuditAppend, AuditChainId, AuditRecord } from '../../domain/audit/model.js';
import type { AuditLog, Pages } from '../../use-cases/ports.js';

export class InMemoryAuditLog implements AuditLog {
  readonly chains = new Map<string, AuditRecord[]>();

  async append(input: AuditAppend): Promise<AuditRecord> {
    // The same rules as DynamoAuditLog: what a use case may append here, it may append there.
    const draft = checkAuditAppend(input);
    const chain = this.chains.get(draft.chainId) ?? [];
    const existing = chain.find((r) => r.eventKey === draft.eventKey);
    if (existing) return structuredClone(existing);
    const record = sealRecord(structuredClone(draft), chain.at(-1));
    chain.push(record);
    this.chains.set(draft.chainId, chain);
    return structuredClone(record);
  }

  async *listRecords(chainId: AuditChainId, options: { fromSeq?: number; toSeq?: number } = {}): Pages<AuditRecord> {
    const { fromSeq, toSeq } = checkSeqRange(options);
    const records = (this.chains.get(chainId) ?? []).filter((r) => r.seq >= fromSeq && r.seq <= (toSeq ?? Number.MAX_SAFE_INTEGER));
    for (let i = 0; i < records.length; i += 100) yield structuredClone(records.slice(i, i + 100));
  }

  async head(chainId: AuditChainId): Promise<AuditRecord | undefined> {
    const last = this.chains.get(chainId)?.at(-1);
    return last && structuredClone(last);
  }

  /** Every event of a chain, in order (tests). */
  events(chainId: AuditChainId) {
    return (this.chains.get(chainId) ?? []).flatMap((r) => r.events);
  }
}
