// `idgov audit show ID|CHAIN` and `idgov audit verify ID|CHAIN`: the records of an audit chain
// (docs/reference/audit-log.md), and whether they still hash and link as they were written. A
// campaign id names its run's chain (run:<runId>); run:<runId>, privilege:<id> and admin name a chain.
import type { Command } from 'commander';
import { ValidationError } from '../../lambdas/shared/domain/errors.js';
import type { AuditRecord } from '../../lambdas/shared/domain/audit/model.js';
import { readChain, resolveAuditChain, verifyStoredChain } from '../../lambdas/shared/use-cases/audit/audit-chain.js';
import { CheckFailedError, countBy, out, outJson, showDate, table, withRuntime } from './context.js';

const ID_HELP = 'a campaign id (its run\'s chain), or a chain: run:<runId>, privilege:<privilegeId>, admin';

export function registerAuditCommands(program: Command): void {
  const audit = program.command('audit').description('the audit log: append-only hash chains of what happened (show, verify)');

  audit
    .command('show')
    .description("print a chain's records in order: seq, time, event key, events, actors, hash")
    .argument('<id>', ID_HELP)
    .option('--from <seq>', 'first record (default 1)')
    .option('--to <seq>', 'last record (default the head)')
    .option('--json', 'print the records as JSON, exactly as stored and hashed')
    .action(async (id: string, options: { from?: string; to?: string; json?: boolean }, command: Command) => {
      const fromSeq = options.from === undefined ? undefined : seqOption(options.from, 'from');
      const toSeq = options.to === undefined ? undefined : seqOption(options.to, 'to');
      if (toSeq !== undefined && toSeq < (fromSeq ?? 1)) throw new ValidationError(`must not be before --from ${fromSeq ?? 1}, got ${toSeq}`, 'to');
      const { chainId, campaignId, records } = await withRuntime(command, async (runtime) => {
        const chain = await resolveAuditChain(runtime.campaigns, id);
        return { ...chain, records: await readChain(runtime.auditLog, chain.chainId, { fromSeq, toSeq }) };
      });
      if (options.json) return outJson({ chainId, ...(campaignId ? { campaignId } : {}), records });
      const of = campaignId ? ` (campaign ${campaignId})` : '';
      if (records.length === 0) return out(`chain ${chainId}${of} has no records${fromSeq || toSeq ? ' in that range' : ''}`);
      out(`chain ${chainId}${of}`);
      out(table(['seq', 'at', 'eventKey', 'events', 'actors', 'hash'], records.map(row)));
      out(`${records.length} record${records.length === 1 ? '' : 's'} (seq ${records[0]!.seq}-${records.at(-1)!.seq}); last hash ${records.at(-1)!.hash}`);
    });

  audit
    .command('verify')
    .description('check a stored chain from its first record: numbering without gaps, every hash, every link (exit 1 naming the first record that fails)')
    .argument('<id>', ID_HELP)
    .action(async (id: string, _options: unknown, command: Command) => {
      const result = await withRuntime(command, async (runtime) => {
        const { chainId } = await resolveAuditChain(runtime.campaigns, id);
        return verifyStoredChain(runtime.auditLog, chainId);
      });
      if (!result.ok) throw new CheckFailedError(`chain ${result.chainId} does not verify: record ${result.problem.seq} ${result.problem.reason}`);
      out(
        result.head
          ? `chain ${result.chainId} verified: ${result.records} record${result.records === 1 ? '' : 's'}, head ${result.head.hash}`
          : `chain ${result.chainId} verified: 0 records (nothing recorded yet)`,
      );
    });
}

function seqOption(value: string, option: string): number {
  const seq = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(seq) || seq < 1) throw new ValidationError(`must be a record number from 1, got "${value}"`, option);
  return seq;
}

function row(record: AuditRecord): string[] {
  const types = countBy(record.events, (event) => event.type);
  return [
    String(record.seq),
    showDate(record.at),
    record.eventKey,
    Object.entries(types)
      .map(([type, n]) => (n > 1 ? `${type} x${n}` : type))
      .join(', '),
    [...new Set(record.events.map((event) => event.actor))].join(', '),
    record.hash.slice(0, 12),
  ];
}
