// ApprovalStore in memory (unit and use-case tests), with the same contract as DynamoApprovalStore:
// put-if-absent creation, version-conditioned saves, and the two sparse indexes (an approver's
// RUNNING runs by due date; runs needing action by nextActionAt until their outcome is applied).
import { ConflictError } from '../../domain/errors.js';
import type { ApprovalRun } from '../../domain/approvals/model.js';
import type { ApprovalRunPosition, ApprovalStore, Pages } from '../../use-cases/ports.js';
import { DEFAULT_PAGE_SIZE, byKey, inPages, stored, type InMemoryOptions } from './pages.js';

export class InMemoryApprovalStore implements ApprovalStore {
  private readonly runs = new Map<string, ApprovalRun>();
  private readonly pageSize: number;

  constructor(options: InMemoryOptions = {}) {
    this.pageSize = options.pageSize ?? DEFAULT_PAGE_SIZE;
  }

  async createApproval(run: ApprovalRun): Promise<boolean> {
    if (this.runs.has(run.id)) return false;
    this.runs.set(run.id, stored(run));
    return true;
  }

  async getApproval(id: string): Promise<ApprovalRun | undefined> {
    const run = this.runs.get(id);
    return run && stored(run);
  }

  async saveApproval(run: ApprovalRun): Promise<void> {
    const current = this.runs.get(run.id);
    if (!current || current.version !== run.version - 1) {
      throw new ConflictError(`approval ${run.id} changed meanwhile (stored version ${current?.version ?? 'none'}, expected ${run.version - 1})`);
    }
    this.runs.set(run.id, stored(run));
  }

  async listApprovalTasks(approverId: string): Promise<ApprovalRun[]> {
    return [...this.runs.values()]
      .filter((r) => r.state === 'RUNNING' && r.approverIds.includes(approverId))
      .sort(byKey((r) => `${r.dueDate}#${r.id}`))
      .map(stored);
  }

  listApprovalsNeedingAction(by: string, options: { after?: ApprovalRunPosition } = {}): Pages<ApprovalRun> {
    const position = (r: { nextActionAt?: string; id: string }) => `${r.nextActionAt}#${r.id}`;
    const after = options.after && position(options.after);
    const due = [...this.runs.values()]
      .filter((r) => r.nextActionAt !== undefined && r.nextActionAt <= by && (after === undefined || position(r) > after))
      .sort(byKey(position));
    return inPages(due, this.pageSize);
  }

  /** Every run, for tests that compare whole states (not part of the port). */
  all(): ApprovalRun[] {
    return [...this.runs.values()].sort(byKey((r) => r.id)).map(stored);
  }
}
