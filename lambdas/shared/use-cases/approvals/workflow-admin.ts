// Administration of approval workflows and scheduled re-approval (docs/reference/reapproval.md):
// `idgov workflow load|list`, `idgov reapproval schedule|status`. Every input is validated before
// anything is written; a refusal names the field and changes nothing.
import * as z from 'zod';
import { dueRound } from '../../domain/approvals/reapproval-dates.js';
import { isNamedApprover, scheduledDateSchema, workflowFileSchema } from '../../domain/approvals/workflow-schemas.js';
import { DEFAULT_REAPPROVAL_CONFIG, DEFAULT_WORKFLOW, type ApprovalWorkflow, type ReapprovalConfig, type ReapprovalRound } from '../../domain/approvals/model.js';
import { ValidationError } from '../../domain/errors.js';
import { parseInput } from '../../domain/schemas.js';
import { auditEvent, auditKey, digestOf } from '../../domain/audit/events.js';
import { ADMIN_CHAIN, userActor } from '../../domain/audit/model.js';
import { recordAfter } from '../audit-trail.js';
import type { AuditLog, DirectoryStore, ReapprovalDirectory } from '../ports.js';

type Directory = DirectoryStore & ReapprovalDirectory;

export interface WorkflowLoadResult {
  /** Ids in file order. */
  loaded: string[];
  created: string[];
  /** Ids that existed and were replaced (running approvals keep the workflow they started with). */
  replaced: string[];
}

/**
 * Validates a workflow file (schema, then that each named approver is a user in the directory) and
 * replaces the workflows by id. Any error: a ValidationError naming every bad field, nothing written.
 */
export async function loadWorkflows(deps: { directory: Directory; audit: AuditLog }, raw: unknown, loadedBy: string, now: Date): Promise<WorkflowLoadResult> {
  const { directory } = deps;
  const file = parseInput(workflowFileSchema, raw);
  const named = file.workflows.flatMap((workflow, w) =>
    workflow.steps.flatMap((step, s) =>
      step.approvers.flatMap((approver, a) => (isNamedApprover(approver) ? [{ id: approver, field: `workflows.${w}.steps.${s}.approvers.${a}` }] : [])),
    ),
  );
  const users = await directory.getUsers([...new Set(named.map((n) => n.id))]);
  const unknown = named.filter((n) => !users.has(n.id)).map((n) => ({ field: n.field, message: `unknown user ${n.id} (use MANAGER, PRIVILEGE_OWNER or a user id of the directory)` }));
  if (unknown.length > 0) throw new ValidationError(unknown.map((i) => `${i.field}: ${i.message}`).join('; '), undefined, unknown);

  const existing = new Set((await directory.listWorkflows()).map((w) => w.id));
  const at = now.toISOString();
  const workflows: ApprovalWorkflow[] = file.workflows.map((w) => ({ ...w, loadedAt: at, loadedBy }));
  await directory.putWorkflows(workflows);
  const loaded = workflows.map((w) => w.id);
  const result = { loaded, created: loaded.filter((id) => !existing.has(id)), replaced: loaded.filter((id) => existing.has(id)) };
  const digest = digestOf(file.workflows);
  await recordAfter(deps.audit, {
    chainId: ADMIN_CHAIN,
    eventKey: auditKey.workflowsLoad(at, digest),
    at,
    events: [auditEvent('WORKFLOWS_LOADED', at, userActor(loadedBy), { ...result, sha256: digest, workflows: file.workflows })],
  });
  return result;
}

export interface ListedWorkflow extends ApprovalWorkflow {
  /** The product's default (DEFAULT_WORKFLOW), used by privileges that name no workflow; never stored. */
  isDefault: boolean;
}

/** The default workflow first, then the loaded ones by id. */
export async function listWorkflows(directory: ReapprovalDirectory): Promise<ListedWorkflow[]> {
  const loaded = await directory.listWorkflows();
  return [{ ...DEFAULT_WORKFLOW, isDefault: true }, ...loaded.map((w) => ({ ...w, isDefault: false }))];
}

export interface ScheduleResult {
  config: ReapprovalConfig;
  /** The date it replaced, if any. */
  previousDate?: string;
}

/**
 * Sets the domain's scheduled re-approval date (YYYY-MM-DD, 00:00 UTC): a real date, today or later
 * (UTC). Its round starts at the first StartReapproval run on or after it.
 */
export async function scheduleReapproval(deps: { directory: ReapprovalDirectory; audit: AuditLog }, date: string, by: string, now: Date): Promise<ScheduleResult> {
  const { directory } = deps;
  const valid = parseInput(z.strictObject({ date: scheduledDateSchema }), { date }).date;
  const today = now.toISOString().slice(0, 10);
  if (valid < today) throw new ValidationError(`must be today (${today}) or later`, 'date');
  const current = (await directory.getReapprovalConfig()) ?? DEFAULT_REAPPROVAL_CONFIG;
  const config: ReapprovalConfig = { ...current, scheduledDate: valid, updatedAt: now.toISOString(), updatedBy: by };
  await directory.putReapprovalConfig(config);
  const at = now.toISOString();
  await recordAfter(deps.audit, {
    chainId: ADMIN_CHAIN,
    eventKey: auditKey.reapprovalSchedule(valid, at),
    at,
    events: [auditEvent('REAPPROVAL_SCHEDULED', at, userActor(by), { scheduledDate: valid, previousDate: current.scheduledDate ?? null })],
  });
  return { config, ...(current.scheduledDate !== undefined ? { previousDate: current.scheduledDate } : {}) };
}

export type RoundState = 'NOT_SCHEDULED' | 'SCHEDULED' | 'DUE' | 'STARTED' | 'COMPLETED';

export interface ReapprovalStatus {
  config: ReapprovalConfig;
  scheduledDate?: string;
  /**
   * The scheduled date's round: NOT_SCHEDULED (no date), SCHEDULED (the date is ahead), DUE (the date
   * has come, the next StartReapproval run starts it), STARTED (some started, some left), COMPLETED.
   */
  roundState: RoundState;
  round?: ReapprovalRound;
}

export async function reapprovalStatus(directory: ReapprovalDirectory, now: Date): Promise<ReapprovalStatus> {
  const stored = await directory.getReapprovalConfig();
  const config = stored ?? DEFAULT_REAPPROVAL_CONFIG;
  const date = config.scheduledDate;
  if (date === undefined) return { config, roundState: 'NOT_SCHEDULED' };
  const round = await directory.getRound(date);
  const roundState: RoundState = round?.completedAt ? 'COMPLETED' : round ? 'STARTED' : dueRound(config, now) ? 'DUE' : 'SCHEDULED';
  return { config, scheduledDate: date, roundState, ...(round ? { round } : {}) };
}
