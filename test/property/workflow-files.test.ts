// Workflow files (`idgov workflow load FILE`, docs/reference/reapproval.md) on 1,000 generated
// files: valid-shaped ones (steps naming MANAGER, PRIVILEGE_OWNER or directory users, every timeout
// rule), mutated ones and any JSON. Each is loaded (the workflows stored, the load recorded) or
// refused by a ValidationError naming a field, with the directory and the audit log as before.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InMemoryAuditLog } from '../../lambdas/shared/adapters/memory/in-memory-audit-log.js';
import { InMemoryDirectoryStore } from '../../lambdas/shared/adapters/memory/in-memory-directory-store.js';
import { loadWorkflows } from '../../lambdas/shared/use-cases/approvals/workflow-admin.js';
import { PROPERTY_RUNS, Verdicts, expectNamedRefusal, inputs, mutate, nastyString, snapshot } from '../support/properties.js';
import { smallOrg } from '../support/small-org.js';

const NOW = new Date('2026-06-15T00:00:00.000Z');
const USERS = smallOrg().users.map((u) => u.id);

const step = fc.oneof(
  fc.record(
    {
      name: fc.constantFrom('Owner', 'Security', 'Manager’s manager'),
      approvers: fc.uniqueArray(fc.oneof({ arbitrary: fc.constantFrom('MANAGER', 'PRIVILEGE_OWNER', ...USERS), weight: 9 }, { arbitrary: fc.constantFrom('nobody', 'manager'), weight: 1 }), { minLength: 1, maxLength: 3 }),
      timeoutDays: fc.oneof({ arbitrary: fc.integer({ min: 1, max: 365 }), weight: 9 }, { arbitrary: fc.constantFrom(0, 366, 2.5), weight: 1 }),
      onTimeout: fc.constantFrom('APPROVE', 'REJECT'),
    },
    { requiredKeys: ['approvers', 'timeoutDays', 'onTimeout'] },
  ),
  fc.record(
    {
      approvers: fc.uniqueArray(fc.constantFrom('MANAGER', 'PRIVILEGE_OWNER', ...USERS), { minLength: 1, maxLength: 2 }),
      timeoutDays: fc.integer({ min: 1, max: 30 }),
      onTimeout: fc.constant('ESCALATE'),
      afterEscalation: fc.constantFrom('APPROVE', 'REJECT'),
    },
    { requiredKeys: ['approvers', 'timeoutDays', 'onTimeout'] },
  ),
);

const workflow = fc.record(
  {
    id: fc.oneof({ arbitrary: fc.constantFrom('wf-1', 'two-step', 'security.review', 'A_1'), weight: 9 }, { arbitrary: fc.constantFrom('default', '-x', 'has space', ''), weight: 1 }),
    name: fc.oneof(fc.constantFrom('Owner, then security', 'Zürich approvals 😀'), nastyString),
    description: fc.string({ maxLength: 40 }),
    steps: fc.array(step, { minLength: 1, maxLength: 3 }),
  },
  { requiredKeys: ['id', 'name', 'steps'] },
);

const file = fc.record({ workflows: fc.uniqueArray(fc.oneof({ arbitrary: workflow as fc.Arbitrary<unknown>, weight: 9 }, { arbitrary: mutate(workflow), weight: 1 }), { minLength: 1, maxLength: 3, selector: (w) => (w as { id?: unknown }).id }) });

describe('workflow files', () => {
  it('loaded and recorded, or refused naming a field with nothing written', async () => {
    const verdicts = new Verdicts();
    await fc.assert(
      fc.asyncProperty(inputs(file as fc.Arbitrary<Record<string, unknown>>), async (raw) => {
        // The directory's workflows and the log, fresh for each file.
        const deps = { directory: new InMemoryDirectoryStore(), audit: new InMemoryAuditLog() };
        await deps.directory.putUsers(smallOrg().users);
        const before = snapshot(deps.directory, deps.audit);
        let result;
        try {
          result = await loadWorkflows(deps, raw, 'admin', NOW);
        } catch (error) {
          expectNamedRefusal(error, raw);
          expect(snapshot(deps.directory, deps.audit), 'nothing written').toBe(before);
          verdicts.refuse();
          return;
        }
        verdicts.accept();
        const stored = await deps.directory.listWorkflows();
        expect(stored.map((w) => w.id).sort()).toEqual([...result.loaded].sort());
        expect(deps.audit.chains.get('admin')).toHaveLength(1);
      }),
      PROPERTY_RUNS,
    );
    verdicts.expectBoth();
  });
});
