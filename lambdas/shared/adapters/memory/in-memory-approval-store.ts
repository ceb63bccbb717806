// ApprovalStore in memory (unit and use-case tests), with the same contract as DynamoApprovalStore.
import type { ApprovalRun } from '../../domain/approvals/model.js';
import type { ApprovalStore, Pages } from '../../use-cases/ports.js';

const pending = (name: string) => new Error(`InMemoryApprovalStore.${name}: not implemented yet (issue 8, engine branch)`);

export class InMemoryApprovalStore implements ApprovalStore {
  async createApproval(_run: ApprovalRun): Promise<boolean> {
    throw pending('createApproval');
  }
  async getApproval(_id: string): Promise<ApprovalRun | undefined> {
    throw pending('getApproval');
  }
  async saveApproval(_run: ApprovalRun): Promise<void> {
    throw pending('saveApproval');
  }
  async listApprovalTasks(_approverId: string): Promise<ApprovalRun[]> {
    throw pending('listApprovalTasks');
  }
  async *listApprovalsNeedingAction(_by: string): Pages<ApprovalRun> {
    throw pending('listApprovalsNeedingAction');
  }
}
