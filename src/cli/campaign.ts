// `idgov campaign create|validate|update|preview|list|show|set`.
import { readFile } from 'node:fs/promises';
import { basename, dirname, resolve } from 'node:path';
import { OperatorHookInvoker, refuseFileHooks } from '../aws/operator-hooks.js';
import { absoluteHookRef, createHookInvoker } from '../local/file-hook-invoker.js';
import { previewCampaign, type CampaignPreview } from '../../lambdas/shared/use-cases/preview-campaign.js';
import { confirmApply, percent } from '../../lambdas/shared/use-cases/apply-guard.js';
import { previewApply, type ApplyPreview } from '../../lambdas/shared/use-cases/apply-preview.js';
import type { Command } from 'commander';
import { ValidationError } from '../../lambdas/shared/domain/errors.js';
import type { ApplyCounts, Campaign, Entry, Item } from '../../lambdas/shared/domain/model.js';
import { archiveIdFor } from '../../lambdas/shared/domain/campaign-lifecycle.js';
import { changeCampaign, createCampaign, listAllCampaigns, showCampaign, updateCampaign } from '../../lambdas/shared/use-cases/campaign-admin.js';
import { campaignFromDefinition, validateAsAtStart } from '../../lambdas/shared/use-cases/campaign-definition.js';
import type { StartValidation } from '../../lambdas/shared/domain/campaign-start.js';
import { formatParameters } from './directory.js';
import { countBy, formatCounts, note, out, outJson, resolveNow, showDate, table, withRuntime, type GlobalOptions } from './context.js';
import type { Runtime } from '../local/runtime.js';

export function registerCampaignCommands(program: Command): void {
  const campaign = program.command('campaign').description('create, list, show and change certification campaigns');

  campaign
    .command('create')
    .description('create a campaign from a JSON definition file; prints the new id')
    .argument('<file>', 'campaign definition (JSON)')
    .option('--by <name>', 'who creates it (written to the audit log)', 'idgov-cli')
    .option('--now <iso>', 'creation time (default: now)')
    .option('--json', 'print the created campaign summary as JSON')
    .action(async (file: string, options: { by: string; now?: string; json?: boolean }, command: Command) => {
      const now = resolveNow(options.now);
      const definition = await readDefinition(file, command);
      const { created, validation } = await withRuntime(command, async (runtime) => {
        // Judged before it is stored, so that a failed directory read stores nothing.
        const draft = await inFile(file, async () => campaignFromDefinition(definition, 'draft', now));
        const verdict = await validateAsAtStart(runtime.directory, draft, now);
        return { created: await inFile(file, () => createCampaign(adminDeps(runtime), definition, now, undefined, options.by)), validation: verdict };
      });
      if (options.json) return outJson({ ...campaignSummary(created), validation: validationView(validation) });
      out(created.id);
      note(`created ${created.kind} campaign "${created.name}" (${created.state}), starts ${showDate(created.startDate)}`);
      // Stored as docs/reference/campaigns.md says (the start step judges it), but the administrator hears now what it will say.
      noteValidation(validation);
    });

  campaign
    .command('validate')
    .description('judge a campaign file as the start step will (dates, filters, hooks, owner), without writing anything; exit 2 if it would fail')
    .argument('<file>', 'campaign definition (JSON)')
    .option('--now <iso>', 'judge as of this time (default: now; a later start date is used if the campaign starts later)')
    .option('--json', 'print as JSON')
    .action(async (file: string, options: { now?: string; json?: boolean }, command: Command) => {
      const now = resolveNow(options.now);
      const definition = await readDefinition(file, command);
      const { campaign: checked, validation } = await withRuntime(command, async (runtime) => {
        const draft = await inFile(file, async () => campaignFromDefinition(definition, 'validate', now));
        return { campaign: draft, validation: await validateAsAtStart(runtime.directory, draft, now) };
      });
      const view = { startDate: checked.startDate, ...validationView(validation) };
      if (options.json) outJson(view);
      else {
        out(view.valid ? `valid: starts ${showDate(view.startDate)}, due ${showDate(view.dueDate)}` : 'NOT VALID: the campaign would fail preparation when it starts');
        for (const l of view.logs) out(`  ${l.level} ${l.field ? `${l.field}: ` : ''}${l.message}`);
      }
      const errors = view.logs.filter((l) => l.level === 'ERROR');
      if (errors.length > 0) {
        const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
        throw new ValidationError(`${basename(file)}: ${errors[0]!.field ? `${errors[0]!.field}: ` : ''}${errors[0]!.message}${more}`);
      }
    });

  campaign
    .command('update')
    .description('replace the definition of a campaign that has not started preparing (e.g. to fix a FAILED.PREPARED one)')
    .argument('<id>', 'campaign id')
    .argument('<file>', 'the new campaign definition (JSON)')
    .option('--by <name>', 'who makes the change (written to the logs)', 'idgov-cli')
    .option('--now <iso>', 'time of the change (default: now)')
    .option('--json', 'print the updated campaign summary as JSON')
    .action(async (id: string, file: string, options: { by: string; now?: string; json?: boolean }, command: Command) => {
      const now = resolveNow(options.now);
      const definition = await readDefinition(file, command);
      const { updated, validation } = await withRuntime(command, async (runtime) => {
        const draft = await inFile(file, async () => campaignFromDefinition(definition, id, now));
        const verdict = await validateAsAtStart(runtime.directory, draft, now);
        return { updated: await inFile(file, () => updateCampaign(adminDeps(runtime), id, definition, now, options.by)), validation: verdict };
      });
      if (options.json) return outJson({ ...campaignSummary(updated), validation: validationView(validation) });
      out(`campaign ${updated.id}: definition replaced (${updated.state})${updated.state === 'FAILED.PREPARED' ? `; set it back to PREPARING to retry: idgov campaign set ${updated.id} --state PREPARING` : ''}`);
      noteValidation(validation);
    });

  campaign
    .command('preview')
    .description('show what a campaign file would produce, without writing anything: subjects, items, approver workload, gaps')
    .argument('<file>', 'campaign definition (JSON)')
    .option('--now <iso>', 'preview as of this time (default: now; a later start date is used if the campaign starts later)')
    .option('--json', 'print as JSON')
    .action(async (file: string, options: { now?: string; json?: boolean }, command: Command) => {
      const now = resolveNow(options.now);
      const definition = await readDefinition(file, command);
      const preview = await withRuntime(command, async (runtime) => {
        if (runtime.mode !== 'aws') return inFile(file, () => previewCampaign({ directory: runtime.directory, hooks: createHookInvoker() }, definition, now));
        // Hooks are invoked from here, with the operator's credentials: a refusal is said as such.
        const hooks = new OperatorHookInvoker();
        const result = await inFile(file, () => previewCampaign({ directory: runtime.directory, hooks }, definition, now));
        hooks.assertNoRefusal(definition, runtime.deployment?.names.administratorsPolicy ?? 'administrators');
        return result;
      });
      if (options.json) return outJson(preview);
      printPreview(preview);
    });

  campaign
    .command('list')
    .description('list every campaign, archived runs included')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const campaigns = await withRuntime(command, (runtime) => listAllCampaigns(runtime.campaigns));
      if (options.json) return outJson(campaigns.map(campaignSummary));
      if (campaigns.length === 0) return out('no campaigns');
      out(
        table(
          ['id', 'name', 'kind', 'state', 'run', 'startDate', 'dueDate', 'statusExpirationDate'],
          campaigns.map((c) => [
            c.id,
            c.archived ? `${c.name} (archived)` : c.name,
            c.kind,
            c.state,
            c.run,
            showDate(c.startDate),
            showDate(c.dueDate),
            showDate(c.statusExpirationDate),
          ]),
        ),
      );
    });

  campaign
    .command('show')
    .description("show a campaign: state, dates, logs, and its current run's entries and items")
    .argument('<id>', 'campaign id')
    .option('--json', 'print as JSON')
    .action(async (id: string, options: { json?: boolean }, command: Command) => {
      const view = await withRuntime(command, (runtime) => showCampaign(runtime.campaigns, id));
      const json = { ...campaignDetail(view.campaign), entries: view.entries.map(({ entry, items }) => entryView(entry, items)) };
      if (options.json) return outJson(json);
      printCampaign(view.campaign, json.entries);
    });

  campaign
    .command('apply-preview')
    .description('list exactly what applying a RUNNING campaign would remove, modify, hand over and keep, and why, with the revocation cap\'s verdict; writes nothing')
    .argument('<id>', 'campaign id')
    .option('--now <iso>', 'apply as of this time: entries still open are taken to close then (default: now)')
    .option('--json', 'print as JSON')
    .action(async (id: string, options: { now?: string; json?: boolean }, command: Command) => {
      const now = resolveNow(options.now);
      const preview = await withRuntime(command, (runtime) => previewApply({ campaigns: runtime.campaigns, directory: runtime.directory }, id, now));
      if (options.json) return outJson(preview);
      printApplyPreview(preview);
    });

  campaign
    .command('confirm-apply')
    .description('confirm applying a campaign that waits over its revocation cap (phase AWAIT_CONFIRMATION): the next controller run applies its decisions')
    .argument('<id>', 'campaign id')
    .requiredOption('--by <name>', 'who confirms: the campaign owner or an administrator (written to the audit log)')
    .option('--now <iso>', 'time of the confirmation (default: now)')
    .option('--json', 'print the confirmation as JSON')
    .action(async (id: string, options: { by: string; now?: string; json?: boolean }, command: Command) => {
      const now = resolveNow(options.now);
      const confirmed = await withRuntime(command, (runtime) => confirmApply(adminDeps(runtime), id, options.by, now));
      const confirmation = confirmed.phase.name === 'APPLY' ? confirmed.phase.confirmed! : undefined;
      if (options.json) return outJson({ ...campaignSummary(confirmed), phase: confirmed.phase.name, confirmed: confirmation ?? null });
      out(
        `campaign ${confirmed.id}: applying confirmed by ${confirmation?.by} at ${showDate(confirmation?.at)} ` +
          `(${describeCounts(confirmation!.counts)}); the next controller run applies it`,
      );
    });

  campaign
    .command('set')
    .description('change the state, due date or recurrence of a campaign; --state PREPARING restarts a SUCCEEDED one as a new run')
    .argument('<id>', 'campaign id')
    .option('--state <state>', 'new state (PREPARING after fixing a FAILED.PREPARED campaign, or to restart a SUCCEEDED one; DELETED)')
    .option('--start <iso>', 'restart only: when the new run starts (default: now); its due date is start + the approval period')
    .option('--due-date <iso>', 'new due date')
    .option('--recurrence-days <n>', 'restart the campaign every N days after its start')
    .option('--no-recurrence', 'stop the recurrence')
    .option('--by <name>', 'who makes the change (written to the logs)', 'idgov-cli')
    .option('--now <iso>', 'time of the change (default: now)')
    .option('--json', 'print the changed campaign as JSON')
    .action(async (id: string, options: CampaignSetOptions, command: Command) => {
      const now = resolveNow(options.now);
      if (options.recurrenceDays !== undefined && options.recurrence === false) {
        throw new ValidationError('give either --recurrence-days or --no-recurrence', 'recurrence');
      }
      const recurrenceDays =
        options.recurrence === false ? null : options.recurrenceDays !== undefined ? parseDays(options.recurrenceDays) : undefined;
      const { before, changed } = await withRuntime(command, async (runtime) => ({
        before: await runtime.campaigns.getCampaign(id),
        changed: await changeCampaign(adminDeps(runtime), id, { state: options.state, dueDate: options.dueDate, recurrenceDays, start: options.start }, now, options.by),
      }));
      // A restart begins a new run; the finished one is kept as an archived campaign.
      const archivedAs = before && changed.run > before.run ? archiveIdFor(before) : undefined;
      if (options.json) return outJson({ ...campaignSummary(changed), ...(archivedAs ? { archivedAs } : {}) });
      if (archivedAs) {
        out(
          `campaign ${changed.id}: run ${changed.run} PREPARING, starts ${showDate(changed.startDate)} (the next controller run prepares it); ` +
            `run ${before!.run} archived as ${archivedAs}`,
        );
        return;
      }
      out(
        `campaign ${changed.id}: state ${changed.state}, due ${showDate(changed.dueDate)}, ` +
          `recurrence ${changed.recurrence ? `every ${changed.recurrence.intervalDays} days` : 'none'}`,
      );
    });
}

interface CampaignSetOptions {
  state?: string;
  start?: string;
  dueDate?: string;
  recurrenceDays?: string;
  recurrence?: boolean;
  by: string;
  now?: string;
  json?: boolean;
}

function parseDays(value: string): number {
  const days = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isInteger(days) || days <= 0) {
    throw new ValidationError(`must be a positive whole number of days, got "${value}"`, 'recurrence-days');
  }
  return days;
}

/**
 * A campaign file as the commands use it: `file:` hooks absolute; with --aws, refused (the deployed
 * controller runs Lambda hooks only), before anything is read from or written to the stack.
 */
async function readDefinition(file: string, command: Command): Promise<unknown> {
  const definition = await readJsonFile(file);
  if (command.optsWithGlobals<GlobalOptions>().aws) refuseFileHooks(definition);
  return withAbsoluteHookRefs(definition, dirname(resolve(file)));
}

/** `file:` hooks are relative to the campaign file; stored absolute, the controller finds them from anywhere. */
export function withAbsoluteHookRefs(definition: unknown, baseDir: string): unknown {
  if (!definition || typeof definition !== 'object' || !('hooks' in definition)) return definition;
  const hooks = (definition as { hooks?: unknown }).hooks;
  if (!hooks || typeof hooks !== 'object') return definition;
  const fixed = Object.fromEntries(Object.entries(hooks).map(([name, ref]) => [name, typeof ref === 'string' ? absoluteHookRef(ref, baseDir) : ref]));
  return { ...definition, hooks: fixed };
}

/** Reads a JSON file; an unreadable or malformed file is bad input naming the file. */
export async function readJsonFile(path: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    throw new ValidationError(`${path}: cannot read (${(error as NodeJS.ErrnoException).code ?? String(error)})`, 'file');
  }
  try {
    return JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new ValidationError(`${basename(path)}: not valid JSON (${(error as Error).message})`, 'file');
  }
}

export function campaignSummary(c: Campaign) {
  return {
    id: c.id,
    name: c.name,
    kind: c.kind,
    state: c.state,
    ownerId: c.ownerId,
    run: c.run,
    startDate: c.startDate,
    dueDate: c.dueDate ?? null,
    statusExpirationDate: c.statusExpirationDate ?? null,
    endDate: c.endDate ?? null,
    recurrence: c.recurrence ?? null,
    archived: c.archived ?? false,
    ...(c.archivedFrom ? { archivedFrom: c.archivedFrom } : {}),
  };
}

function campaignDetail(c: Campaign) {
  return {
    ...campaignSummary(c),
    runId: c.runId,
    phase: c.phase.name,
    approvalPeriodDays: c.approvalPeriodDays ?? null,
    subjects: c.subjects,
    resources: c.resources ?? null,
    reminders: c.reminders ?? null,
    revocation: c.revocation,
    logs: c.logs,
    stats: c.stats ?? null,
    version: c.version,
  };
}

export function entryView(entry: Entry, items: Item[]) {
  return {
    id: entry.id,
    subjectKind: entry.subjectKind,
    subjectId: entry.subjectId,
    subjectName: entry.subjectName,
    stage: entry.stage,
    stages: entry.plan?.length ?? 1,
    stageName: entry.plan?.[entry.stage - 1]?.name ?? null,
    state: entry.state,
    approverIds: entry.approverIds,
    dueDate: entry.dueDate,
    closedAt: entry.closedAt ?? null,
    endDate: entry.endDate ?? null,
    ...(entry.error ? { error: entry.error } : {}),
    ...(entry.stats ? { stats: entry.stats } : {}),
    // The subject's approval plan: who each stage's approvers are, and which entries the next stage got.
    ...(entry.plan ? { plan: entry.plan } : {}),
    ...(entry.nextEntryIds ? { advancedAt: entry.advancedAt ?? null, nextEntryIds: entry.nextEntryIds } : {}),
    ...(entry.substitutions?.length ? { substitutions: entry.substitutions } : {}),
    ...(entry.reassignments?.length ? { reassignments: entry.reassignments } : {}),
    items: items.map(itemView),
  };
}

export function itemView(item: Item) {
  return {
    id: item.id,
    userId: item.userId,
    privilegeId: item.privilegeId,
    privilegeName: item.privilegeName ?? null,
    privilegeRisk: item.privilegeRisk ?? null,
    endDate: item.endDate ?? null,
    parameters: item.parameters ?? {},
    decision: item.decision ?? null,
    applied: item.applied ?? null,
    // Handed to an approval workflow (`WORKFLOW` revocation): the run, and its outcome once it ended.
    ...(item.workflow ? { workflow: item.workflow } : {}),
  };
}

/** `a-… RUNNING (workflow default)`, or how it ended: `a-… REJECTED by u-cfo 2026-07-20T09:00:00Z, REMOVED (workflow wf-fin)`. */
export function describeWorkflow(w: NonNullable<Item['workflow']>): string {
  const ended = w.outcomeAt ? `${w.outcomeBy ? ` by ${w.outcomeBy}` : ''} ${showDate(w.outcomeAt)}` : '';
  return `${w.approvalId} ${w.state}${ended}${w.appliedAction ? `, ${w.appliedAction}` : ''} (workflow ${w.workflowId})`;
}

export const describeDecision = (decision: Item['decision'] | null): string => {
  if (!decision) return 'undecided';
  if (decision.outcome !== 'MODIFY') return `${decision.outcome} by ${decision.decidedBy}`;
  const changes = [
    ...(decision.endDate !== undefined ? [`endDate=${decision.endDate === null ? 'none' : showDate(decision.endDate)}`] : []),
    ...(decision.parameters ? [formatParameters(decision.parameters)] : []),
  ];
  return `MODIFY ${changes.join(' ')} by ${decision.decidedBy}`;
};

function printCampaign(c: Campaign, entries: ReturnType<typeof entryView>[]): void {
  out(`${c.id}  ${c.name}${c.archived ? ' (archived run)' : ''}`);
  out(`  kind ${c.kind}, state ${c.state} (phase ${c.phase.name}), run ${c.run}, owner ${c.ownerId}`);
  if (c.phase.name === 'AWAIT_CONFIRMATION') {
    out(`  waiting since ${showDate(c.phase.since)} for the owner's confirmation: applying would remove more than the cap allows (${describeCounts(c.phase.counts)})`);
    out(`    see: idgov campaign apply-preview ${c.id}; confirm: idgov campaign confirm-apply ${c.id} --by <name>`);
  }
  out(
    `  start ${showDate(c.startDate)}, due ${showDate(c.dueDate)}, status expiration ${showDate(c.statusExpirationDate)}, end ${showDate(c.endDate)}`,
  );
  out(
    `  subjects ${c.subjects.filter ?? '-'}${c.resources?.filter ? `, resources ${c.resources.filter}` : ''}; revocation rejected ${c.revocation.rejected}, modified ${c.revocation.modified}, uncertified ${c.revocation.uncertified}` +
      `${c.recurrence ? `; recurs every ${c.recurrence.intervalDays} days` : ''}`,
  );
  out('  logs:');
  for (const log of c.logs) out(`    ${showDate(log.at)} ${log.level.padEnd(5)} ${log.field ? `${log.field}: ` : ''}${log.message}`);
  out(`  ${entries.length} entries (${formatCounts(countBy(entries, (e) => e.state))})`);
  if (c.stats) {
    const s = c.stats;
    out(
      `  results: ${s.approved} approved, ${s.rejected} rejected, ${s.modified} modified, ${s.uncertified} uncertified; ${s.revoked} removed` +
        `${s.stillPresent ? ` (${s.stillPresent} still in the directory when read back)` : ''}` +
        `${s.handedOver ? `, ${s.handedOver} handed to approval workflows` : ''}`,
    );
  }
  const stages = entries.reduce((most, e) => Math.max(most, e.stages), 1);
  if (stages > 1) {
    out('  stages:');
    for (let stage = 1; stage <= stages; stage++) {
      const of = entries.filter((e) => e.stage === stage);
      const names = [...new Set(of.map((e) => e.stageName).filter((n) => n !== null))];
      out(`    ${stage}${names.length ? ` ${names.join(' / ')}` : ''}: ${of.length ? `${of.length} entries (${formatCounts(countBy(of, (e) => e.state))})` : 'not started'}`);
    }
  }
  for (const e of entries) {
    const stage = e.stages > 1 ? `  stage ${e.stage}/${e.stages}${e.stageName ? ` ${e.stageName}` : ''}` : '';
    out(`  entry ${e.id}  ${e.subjectKind} ${e.subjectId} (${e.subjectName})${stage}  ${e.state}  approvers ${e.approverIds.join(', ') || '-'}  due ${showDate(e.dueDate)}`);
    if (e.nextEntryIds?.length) out(`      next stage: ${e.nextEntryIds.join(', ')}`);
    for (const sub of e.substitutions ?? []) out(`      item ${sub.itemId}: ${sub.to} instead of ${sub.from} (${sub.reason})`);
    for (const r of e.reassignments ?? []) {
      out(`      reassigned ${showDate(r.at)} by ${r.by}: ${r.from.join(', ') || '-'} → ${r.to}${r.dueDate ? `, due ${showDate(r.previousDueDate)} → ${showDate(r.dueDate)}` : ''}: ${r.justification}`);
    }
    for (const i of e.items) {
      out(`      item ${i.id}  ${i.userId} → ${i.privilegeId}  ${describeDecision(i.decision)}${i.applied ? `  [${i.applied.action}]` : ''}`);
      if (i.workflow) out(`        approval workflow: ${describeWorkflow(i.workflow)}`);
    }
  }
}

/** A file's validation errors name the file too. */
async function inFile<T>(file: string, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ValidationError) throw new ValidationError(`${basename(file)}: ${error.message}`, undefined, error.issues);
    throw error;
  }
}

function validationView(v: StartValidation) {
  return { valid: v.ok, dueDate: v.dueDate ?? null, logs: v.logs.map((l) => ({ level: l.level, ...(l.field ? { field: l.field } : {}), message: l.message })) };
}

function noteValidation(v: StartValidation): void {
  for (const l of v.logs.filter((l) => l.level !== 'INFO')) {
    note(`${l.level === 'ERROR' ? 'will fail at its start unless fixed' : 'warning'}: ${l.field ? `${l.field}: ` : ''}${l.message}`);
  }
  if (!v.ok) note('fix the file and run `idgov campaign update ID FILE`, or check it first with `idgov campaign validate FILE`');
}

const describeCounts = (c: ApplyCounts): string =>
  `of ${c.items} items: remove ${c.remove}, modify ${c.modify}, hand over ${c.handOver}, keep ${c.keep}, kept by guard ${c.keptByGuard}`;

function printApplyPreview(p: ApplyPreview): void {
  out(`${p.campaignId}  ${p.name}: RUNNING (phase ${p.phase}), applying as of ${showDate(p.asOf)}`);
  out(`  revocation: rejected ${p.revocation.rejected}, modified ${p.revocation.modified}, uncertified ${p.revocation.uncertified}`);
  const entries = (n: number) => `${n} entr${n === 1 ? 'y' : 'ies'}`;
  if (p.openEntries > 0) out(`  ${entries(p.openEntries)} still open: taken to close at ${showDate(p.asOf)} (undecided items are uncertified)`);
  if (p.appliedEntries > 0) out(`  ${entries(p.appliedEntries)} applied already: not listed`);
  if (p.items.length > 0) {
    out(
      table(
        ['action', 'user', 'privilege', 'entry', 'why'],
        p.items.map((i) => [i.action, i.userId, i.privilegeId, i.entryId, i.why + (i.action === 'MODIFY' ? modification(i) : '')]),
      ),
    );
  }
  out(`totals ${describeCounts(p.totals)}`);
  const cap = `${percent(p.cap.removalShare)} % of the items removed; cap ${percent(p.cap.maxRemovalShare)} % (at most ${p.cap.maxRemovals} without confirmation)`;
  if (p.cap.confirmed) out(`cap: ${cap}: confirmed by ${p.cap.confirmed.by} at ${showDate(p.cap.confirmed.at)}`);
  else if (p.cap.awaitingSince) out(`cap: ${cap}: OVER THE CAP, waiting since ${showDate(p.cap.awaitingSince)}; confirm with: idgov campaign confirm-apply ${p.campaignId} --by <name>`);
  else out(`cap: ${cap}: ${p.cap.exceeded ? 'OVER THE CAP: the campaign will wait for its owner\'s confirmation before removing anything' : 'within the cap'}`);
}

const modification = (i: ApplyPreview['items'][number]): string => {
  const changes = [
    ...(i.endDate !== undefined ? [`endDate=${i.endDate === null ? 'none' : showDate(i.endDate)}`] : []),
    ...(i.parameters ? [formatParameters(i.parameters)] : []),
  ];
  return changes.length ? ` (${changes.join(' ')})` : '';
};

function printPreview(p: CampaignPreview): void {
  out(p.valid ? `valid; due ${showDate(p.dueDate)}; ${p.stages} stage(s)` : 'NOT VALID: the campaign would fail preparation');
  for (const l of p.logs) out(`  ${l.level} ${l.field ? `${l.field}: ` : ''}${l.message}`);
  if (!p.valid) return;
  out(`${p.totals.subjects} subjects, ${p.totals.entries} entries, ${p.totals.items} items`);
  out(table(['subject', 'name', 'items', 'entries (approvers: items)'], p.subjects.map((s) => [s.id, s.name, String(s.items), s.entries.map((e) => `${e.approverIds.join('+') || '(none)'}: ${e.items}`).join('; ')])));
  out('approver workload:');
  out(table(['approver', 'name', 'entries', 'items'], p.workload.map((w) => [w.approverId, w.approverName ?? '', String(w.entries), String(w.items)])));
  out(p.withoutApprover.length ? `without an approver: ${p.withoutApprover.map((w) => `${w.subjectId} (${w.items} items)`).join(', ')}` : 'every subject has an approver');
  out(p.substitutions.length ? 'self-review substitutions:' : 'no self-review substitutions');
  for (const s of p.substitutions) out(`  ${s.subjectId} item ${s.itemId}: ${s.from} -> ${s.to} (${s.reason})`);
}

/** What the administrator's campaign changes need from the runtime: the store, and the audit log. */
export const adminDeps = (runtime: Runtime) => ({ campaigns: runtime.campaigns, audit: runtime.auditLog });
