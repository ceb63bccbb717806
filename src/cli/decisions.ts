// `idgov tasks --approver ID` and `idgov decide TASK_ID ITEM_ID --as ID (...)`: campaign entries
// (`e-…`) and approval runs (`a-…`, re-approvals and campaign hand-overs) alike.
import type { Command } from 'commander';
import { DEFAULT_REAPPROVAL_CONFIG, isApprovalId } from '../../lambdas/shared/domain/approvals/model.js';
import { NotFoundError, ValidationError } from '../../lambdas/shared/domain/errors.js';
import { approvalTaskView, type ApprovalTaskView } from '../../lambdas/shared/presenters/approval-views.js';
import { decideApproval, listAllTasks } from '../../lambdas/shared/use-cases/approvals/approval-tasks.js';
import { decide, decideForPrivilege, type Task } from '../../lambdas/shared/use-cases/decisions.js';
import { approverPortalUrl, type Runtime } from '../local/runtime.js';
import { describeDecision, itemView } from './campaign.js';
import { out, outJson, resolveNow, showDate, stderrLog, withRuntime } from './context.js';

export function registerDecisionCommands(program: Command): void {
  program
    .command('tasks')
    .description("list an approver's open tasks: certification entries (kind CAMPAIGN) and approval runs (kind REAPPROVAL), by due date")
    .requiredOption('--approver <userId>', 'the approver')
    .option('--json', 'print as JSON')
    .action(async (options: { approver: string; json?: boolean }, command: Command) => {
      const tasks = await withRuntime(command, async (runtime) => {
        const found = await listAllTasks(runtime.campaigns, runtime.approvals, options.approver);
        // Someone removed from the directory may still hold tasks (to reassign); an unknown id with none is a typo.
        if (found.length === 0 && !(await runtime.directory.getUser(options.approver))) throw new NotFoundError('user', options.approver);
        return found;
      });
      const view = tasks.map((t) => (t.kind === 'CAMPAIGN' ? campaignTaskView(t.task) : approvalTaskView(t.approval)));
      if (options.json) return outJson(view);
      if (view.length === 0) return out(`no open tasks for ${options.approver}`);
      for (const t of view) {
        if (t.kind === 'REAPPROVAL') {
          printApprovalTask(t);
          continue;
        }
        out(
          `entry ${t.entryId}  ${t.campaignName}: ${t.subjectKind} ${t.subjectId} (${t.subjectName})  due ${showDate(t.dueDate)}  ` +
            `${t.openItemIds.length} of ${t.items.length} open`,
        );
        for (const i of t.items) {
          const context = [i.privilegeName ?? i.privilegeId, i.privilegeRisk, i.endDate ? `ends ${showDate(i.endDate)}` : undefined]
            .filter(Boolean)
            .join(', ');
          out(`    item ${i.id}  ${i.userId} → ${i.privilegeId} (${context})  ${describeDecision(i.decision)}`);
        }
      }
    });

  program
    .command('decide')
    .description(
      'decide as the approver: one item (TASK_ID ITEM_ID), every open item of an entry (TASK_ID --all), ' +
        'or every open item of a privilege across your tasks (--privilege P). A task id beginning a- is an approval run ' +
        '(re-approval or campaign hand-over): one item, --approve or --reject',
    )
    .argument('[entryId]', 'task id: a campaign entry (e-…) or an approval run (a-…)')
    .argument('[itemId]', 'item id (of an approval run: its privilege id)')
    .requiredOption('--as <userId>', 'the approver deciding')
    .option('--all', 'bulk: every open item of the entry (with --approve or --reject)')
    .option('--privilege <privilegeId>', 'bulk: only items of this privilege; without an entry id, across all your tasks')
    .option('--approve', 'keep the assignment')
    .option('--reject', 'remove the assignment')
    .option('--end-date <iso|none>', 'modify: set the end date, or "none" to remove it')
    .option('--param <key=value>', 'modify: set a role parameter (repeatable)', collect, [] as string[])
    .option('--remove-param <key>', 'modify: remove a role parameter from the assignment (repeatable)', collect, [] as string[])
    .option('--comment <text>', 'a comment kept with the decision')
    .option('--now <iso>', 'time of the decision (default: now)')
    .option('--json', 'print the result as JSON')
    .action(async (entryId: string | undefined, itemId: string | undefined, options: DecideOptions, command: Command) => {
      const now = resolveNow(options.now);
      const bulk = options.all === true || (entryId === undefined && options.privilege !== undefined);
      if (!bulk && (entryId === undefined || itemId === undefined)) {
        throw new ValidationError('give ENTRY_ID ITEM_ID, or ENTRY_ID --all, or --privilege P', 'itemId');
      }
      if (bulk && itemId !== undefined) throw new ValidationError('a bulk decision takes no ITEM_ID', 'itemId');
      const decision = decisionFromOptions(itemId ?? '*', options);
      if (bulk && decision.outcome === 'MODIFY') throw new ValidationError('a bulk decision is --approve or --reject', 'outcome');
      if (entryId !== undefined && isApprovalId(entryId)) return decideRun(command, entryId, bulk ? undefined : itemId, decision, options, now);
      const all = { outcome: decision.outcome, comment: options.comment, privilegeId: options.privilege };
      const results = await withRuntime(command, (runtime) =>
        entryId === undefined
          ? decideForPrivilege({ campaigns: runtime.campaigns, audit: runtime.auditLog }, { actorId: options.as, privilegeId: options.privilege!, outcome: decision.outcome, comment: options.comment }, now)
          : decide({ campaigns: runtime.campaigns, audit: runtime.auditLog }, bulk ? { entryId, actorId: options.as, all } : { entryId, actorId: options.as, decisions: [decision] }, now).then((r) => [r]),
      );
      if (options.json) {
        const view = results.map((r) => ({ entryId: r.entry.id, entryState: r.entry.state, decided: r.decided, finished: r.finished }));
        // One item: one object with the decision; bulk: one object per entry.
        return outJson(bulk ? view.map((v) => ({ ...v, outcome: decision.outcome })) : { ...view[0], decision });
      }
      for (const r of results) {
        out(
          `${decision.outcome} recorded on ${r.decided.length} item(s) (${r.decided.join(', ')}) of entry ${r.entry.id} by ${options.as}` +
            (r.finished ? `; every item is decided: entry ${r.entry.state}` : ''),
        );
      }
    });
}

/** A campaign task as `idgov tasks` has always shown it, marked `kind: CAMPAIGN`. */
function campaignTaskView(t: Task) {
  return {
    kind: 'CAMPAIGN' as const,
    entryId: t.entry.id,
    campaignId: t.entry.campaignId,
    campaignName: t.campaignName,
    subjectKind: t.entry.subjectKind,
    subjectId: t.entry.subjectId,
    subjectName: t.entry.subjectName,
    state: t.entry.state,
    dueDate: t.entry.dueDate,
    openItemIds: t.openItems.map((i) => i.id),
    items: t.items.map(itemView),
  };
}

function printApprovalTask(t: ApprovalTaskView): void {
  const purpose = t.purpose === 'CAMPAIGN' ? 'campaign hand-over' : 're-approval';
  out(
    `${purpose} ${t.taskId}  ${t.workflowName} step ${t.step} of ${t.steps}${t.escalated ? ' (escalated)' : ''}: ` +
      `USER ${t.subjectId}${t.subjectName ? ` (${t.subjectName})` : ''}  due ${showDate(t.dueDate)}  ${t.openItemIds.length} of ${t.items.length} open`,
  );
  for (const i of t.items) {
    const context = [
      i.privilegeName ?? i.privilegeId,
      i.privilegeRisk,
      i.approvedAt ? `approved ${showDate(i.approvedAt)}${i.approvedBy ? ` by ${i.approvedBy}` : ''}` : undefined,
      i.endDate ? `ends ${showDate(i.endDate)}` : undefined,
    ]
      .filter(Boolean)
      .join(', ');
    out(`    item ${i.id}  ${i.userId} → ${i.privilegeId} (${context})  ${describeDecision(i.decision)}`);
  }
}

/**
 * A decision on an approval run: its one item (ITEM_ID, or --all), approved or rejected; the run
 * moves on at once with the domain's re-approval configuration: its next step opens, or it reaches
 * its outcome, which the next start-reapproval run applies to the assignment (as through the API).
 */
async function decideRun(
  command: Command,
  approvalId: string,
  itemId: string | undefined,
  decision: ReturnType<typeof decisionFromOptions>,
  options: DecideOptions,
  now: Date,
): Promise<void> {
  if (options.privilege !== undefined) throw new ValidationError('an approval run has one item: give ITEM_ID or --all, not --privilege', 'privilege');
  if (decision.outcome === 'MODIFY') throw new ValidationError('an approval run is approved or rejected (--approve or --reject), not modified', 'outcome');
  const result = await withRuntime(command, async (runtime) =>
    decideApproval(
      approvalDeps(runtime),
      {
        approvalId,
        actorId: options.as,
        ...(itemId !== undefined ? { itemId } : {}),
        outcome: decision.outcome,
        ...(options.comment !== undefined ? { comment: options.comment } : {}),
      },
      (await runtime.directory.getReapprovalConfig()) ?? DEFAULT_REAPPROVAL_CONFIG,
      now,
    ),
  );
  const { run, decided, finished } = result;
  if (options.json) {
    const view = { kind: 'REAPPROVAL' as const, entryId: run.id, entryState: run.state, decided, finished };
    return outJson(itemId === undefined ? [{ ...view, outcome: decision.outcome }] : { ...view, decision });
  }
  out(
    `${decision.outcome} recorded on ${decided.length} item(s) (${decided.join(', ')}) of approval run ${run.id} by ${options.as}` +
      (finished
        ? `; the run is ${run.state}, and the next start-reapproval run applies its outcome (${run.state === 'APPROVED' ? 'the assignment is kept' : 'the assignment is removed'})`
        : run.state === 'RUNNING'
          ? `; now at step ${run.stepIndex + 1} of ${run.workflow.steps.length}`
          : ''),
  );
}

/** What the approval engine needs, from the runtime; mail it records is sent by the next start-reapproval run. */
export const approvalDeps = (runtime: Runtime) => ({
  directory: runtime.directory,
  approvals: runtime.approvals,
  campaigns: runtime.campaigns,
  outbox: runtime.outbox,
  audit: runtime.auditLog,
  portalUrl: approverPortalUrl(runtime),
  log: stderrLog,
});

export interface DecideOptions {
  as: string;
  all?: boolean;
  privilege?: string;
  approve?: boolean;
  reject?: boolean;
  endDate?: string;
  param: string[];
  removeParam: string[];
  comment?: string;
  now?: string;
  json?: boolean;
}

const collect = (value: string, previous: string[]) => [...previous, value];

/** Exactly one outcome; the shape is then validated by the decide use case (zod, naming fields). */
/** The decision `idgov decide` options describe (exported for the property tests), or a ValidationError naming the option. */
export function decisionFromOptions(itemId: string, options: DecideOptions) {
  const modify = options.endDate !== undefined || options.param.length > 0 || options.removeParam.length > 0;
  const chosen = [options.approve && '--approve', options.reject && '--reject', modify && '--end-date/--param/--remove-param'].filter(Boolean);
  if (chosen.length !== 1) {
    throw new ValidationError(
      chosen.length === 0 ? 'choose --approve, --reject, or --end-date/--param/--remove-param to modify' : `choose only one of ${chosen.join(', ')}`,
      'outcome',
    );
  }
  const comment = options.comment !== undefined ? { comment: options.comment } : {};
  if (options.approve) return { itemId, outcome: 'APPROVE' as const, ...comment };
  if (options.reject) return { itemId, outcome: 'REJECT' as const, ...comment };
  // A null value removes the parameter (the API's form too: "parameters": { "project": null }).
  const parameters: Record<string, string | null> = {};
  for (const pair of options.param) {
    const at = pair.indexOf('=');
    if (at <= 0) throw new ValidationError(`expected key=value, got "${pair}"`, 'param');
    const name = pair.slice(0, at).trim();
    // "project=" reads as "remove project" to some and "set it empty" to others: say which form removes.
    if (pair.slice(at + 1) === '') throw new ValidationError(`${name} has no value; to remove the parameter use --remove-param ${name}`, 'param');
    parameters[name] = pair.slice(at + 1);
  }
  for (const raw of options.removeParam) {
    const name = raw.trim();
    if (name === '' || name.includes('=')) throw new ValidationError(`expected a parameter name, got "${raw}"`, 'remove-param');
    if (name in parameters) throw new ValidationError(`${name} is both set and removed`, 'remove-param');
    parameters[name] = null;
  }
  return {
    itemId,
    outcome: 'MODIFY' as const,
    ...(options.endDate !== undefined ? { endDate: options.endDate.toLowerCase() === 'none' ? null : options.endDate } : {}),
    ...(Object.keys(parameters).length > 0 ? { parameters } : {}),
    ...comment,
  };
}
