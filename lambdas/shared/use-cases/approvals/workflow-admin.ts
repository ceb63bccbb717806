// The administrator's side of approval workflows and re-approval (docs/reference/reapproval.md):
// `idgov workflow load|list`, `idgov reapproval schedule|status`.
// PLACEHOLDER written by the surfaces branch of issue 8 so that the CLI builds against the pinned
// signatures; the engine branch's file replaces it.
import type { ApprovalWorkflow, ReapprovalConfig, ReapprovalRound } from '../../domain/approvals/model.js';
import type { DirectoryStore, ReapprovalDirectory } from '../ports.js';

const pending = (name: string) => new Error(`${name}: not implemented yet (issue 8, engine branch)`);

/**
 * Validates a workflows file (`{ "workflows": [...] }`, strict; named approvers must be directory
 * users) and replaces the workflows it names. ValidationError naming the field; nothing is written then.
 */
export async function loadWorkflows(
  _directory: ReapprovalDirectory & DirectoryStore,
  _raw: unknown,
  _loadedBy: string,
  _now: Date,
): Promise<{ loaded: ApprovalWorkflow[] }> {
  throw pending('loadWorkflows');
}

/** The built-in DEFAULT_WORKFLOW and every loaded workflow. */
export async function listWorkflows(_directory: ReapprovalDirectory): Promise<{ workflow: ApprovalWorkflow; builtIn: boolean }[]> {
  throw pending('listWorkflows');
}

/** Sets the scheduled mode's domain date (YYYY-MM-DD, today or later). ValidationError naming `date`. */
export async function scheduleReapproval(_directory: ReapprovalDirectory, _date: string, _by: string, _now: Date): Promise<ReapprovalConfig> {
  throw pending('scheduleReapproval');
}

/** The configuration in force and the round of its scheduled date, if one started. */
export async function reapprovalStatus(_directory: ReapprovalDirectory, _now: Date): Promise<{ config: ReapprovalConfig; round?: ReapprovalRound }> {
  throw pending('reapprovalStatus');
}
