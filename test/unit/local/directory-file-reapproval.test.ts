// The directory file's re-approval columns in CSV (src/local/directory-file.ts): a privilege's
// `approvalWorkflowId`, `reapprovalMode`, `reapprovalIntervalDays` and `reapprovalWorkflowId` become
// the JSON shape's `approvalWorkflowId` and `reapproval` object, an assignment's `grantedAt` stays
// as it is, and a problem inside `reapproval` is reported under the column it came from. (Whether
// the values are valid is the directory file schema's to say: test/integration/cli-reapproval.test.ts.)
import { describe, expect, it } from 'vitest';
import { csvRecords, nestedColumn, REAPPROVAL_COLUMNS } from '../../../src/local/directory-file.js';

describe('privileges.csv with re-approval settings', () => {
  it('builds the reapproval object from its columns, the interval as a number; an empty cell is absent', () => {
    const text = [
      'id,name,ownerIds,riskLevel,approvalWorkflowId,reapprovalMode,reapprovalIntervalDays,reapprovalWorkflowId',
      'p-fin,FinanceAdmin,o1;o2,CRITICAL,two-step,CONTINUOUS,90,',
      'p-sox,SOX,o1,HIGH,,SCHEDULED,,owner-only',
      'p-wiki,Wiki,,,,,,',
    ].join('\n');
    expect(csvRecords('privileges.csv', text)).toEqual({
      kind: 'privileges',
      records: [
        { id: 'p-fin', name: 'FinanceAdmin', ownerIds: ['o1', 'o2'], riskLevel: 'CRITICAL', approvalWorkflowId: 'two-step', reapproval: { mode: 'CONTINUOUS', intervalDays: 90 } },
        { id: 'p-sox', name: 'SOX', ownerIds: ['o1'], riskLevel: 'HIGH', reapproval: { mode: 'SCHEDULED', workflowId: 'owner-only' } },
        { id: 'p-wiki', name: 'Wiki' },
      ],
    });
  });

  it('keeps an interval that is not a whole number as written, for the schema to refuse under its column', () => {
    const { records } = csvRecords('privileges.csv', 'id,name,reapprovalMode,reapprovalIntervalDays\np1,P,CONTINUOUS,ninety\np2,P,CONTINUOUS,-5');
    expect(records.map((r) => r.reapproval)).toEqual([
      { mode: 'CONTINUOUS', intervalDays: 'ninety' },
      { mode: 'CONTINUOUS', intervalDays: -5 },
    ]);
  });

  it('refuses an unknown re-approval column on line 1, listing the known ones', () => {
    expect(() => csvRecords('privileges.csv', 'id,name,reapprovalInterval\np1,P,90')).toThrow(
      /privileges\.csv line 1: unknown column "reapprovalInterval" for privileges \(id,name,ownerIds,riskLevel,approvalWorkflowId,reapprovalMode,reapprovalIntervalDays,reapprovalWorkflowId,protectedReason,attr\.<name>\)/,
    );
  });

  it('names the column of a nested field in messages: the field\'s own, else reapprovalMode for the object', () => {
    const layout = { nested: REAPPROVAL_COLUMNS };
    expect(nestedColumn(layout, 'reapproval', 'intervalDays')).toBe('reapprovalIntervalDays');
    expect(nestedColumn(layout, 'reapproval', 'workflowId')).toBe('reapprovalWorkflowId');
    expect(nestedColumn(layout, 'reapproval', 'mode')).toBe('reapprovalMode');
    expect(nestedColumn(layout, 'reapproval', undefined)).toBe('reapprovalMode');
    expect(nestedColumn(layout, 'attributes', 'x')).toBeUndefined();
  });
});

describe('assignments.csv', () => {
  it('reads grantedAt beside approvedAt', () => {
    const text = 'userId,privilegeId,origin,grantedAt,approvedAt,approvedBy\nu1,p-fin,MANUAL,2025-01-10,2026-04-02,o1';
    expect(csvRecords('assignments.csv', text).records).toEqual([
      { userId: 'u1', privilegeId: 'p-fin', origin: 'MANUAL', grantedAt: '2025-01-10', approvedAt: '2026-04-02', approvedBy: 'o1' },
    ]);
  });
});
