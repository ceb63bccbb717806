// The configuration in use: the stored file (read through the schema again) or the defaults; a
// bad file is refused whole and stores nothing.
import { describe, expect, it } from 'vitest';
import { InMemoryOperationsStore } from '../../../lambdas/shared/adapters/memory/in-memory-operations-store.js';
import { ValidationError } from '../../../lambdas/shared/domain/errors.js';
import { DEFAULT_OPERATIONS_CONFIG, type OperationsConfig } from '../../../lambdas/shared/domain/operations.js';
import { loadOperationsConfig, saveOperationsConfig } from '../../../lambdas/shared/use-cases/operations-config.js';
import { InMemoryAuditLog } from '../../../lambdas/shared/adapters/memory/in-memory-audit-log.js';

const AT = new Date('2026-12-01T12:00:00.000Z');

describe('operations configuration', () => {
  it('is the defaults when none was loaded', async () => {
    expect(await loadOperationsConfig(new InMemoryOperationsStore())).toEqual(DEFAULT_OPERATIONS_CONFIG);
  });

  it('stores a partial file merged over the defaults, with who loaded it and when', async () => {
    const operations = new InMemoryOperationsStore();
    const saved = await saveOperationsConfig({ operations, audit: new InMemoryAuditLog() }, { recommendations: { highRiskUsersAbove: 2 } }, 'alice', AT);
    expect(saved.recommendations.highRiskUsersAbove).toBe(2);
    expect(await operations.getConfig()).toEqual({ config: saved, loadedAt: AT.toISOString(), loadedBy: 'alice' });
    expect(await loadOperationsConfig(operations)).toEqual(saved);
  });

  it('gives a field missing from an older stored configuration its default', async () => {
    const operations = new InMemoryOperationsStore();
    const { health: _health, ...older } = DEFAULT_OPERATIONS_CONFIG;
    await operations.putConfig({ ...older, compliance: { ...older.compliance, compliantAt: 70 } } as OperationsConfig, 'bob', AT);
    const config = await loadOperationsConfig(operations);
    expect(config.health).toEqual(DEFAULT_OPERATIONS_CONFIG.health);
    expect(config.compliance.compliantAt).toBe(70);
  });

  it('refuses a bad file, naming the field, and keeps the stored configuration', async () => {
    const operations = new InMemoryOperationsStore();
    await saveOperationsConfig({ operations, audit: new InMemoryAuditLog() }, { compliance: { compliantAt: 70 } }, 'alice', AT);
    const error = await saveOperationsConfig({ operations, audit: new InMemoryAuditLog() }, { risk: { toxicCombinations: [{ privileges: ['p-a'] }] } }, 'mallory', AT).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => i.field)).toEqual(['risk.toxicCombinations.0.privileges']);
    expect((await operations.getConfig())!.loadedBy).toBe('alice');
  });
});
