// The operations configuration in use: the file loaded with `idgov config load`, or the defaults.
import { DEFAULT_OPERATIONS_CONFIG, type OperationsConfig } from '../domain/operations.js';
import { parseOperationsConfig } from '../domain/operations-config.js';
import { auditEvent, auditKey, digestOf } from '../domain/audit/events.js';
import { ADMIN_CHAIN, userActor } from '../domain/audit/model.js';
import { recordAfter } from './audit-trail.js';
import type { AuditLog, OperationsStore } from './ports.js';

/**
 * The stored configuration, read through the schema again so that fields added to the defaults
 * since it was loaded take their defaults; none stored → the defaults.
 */
export async function loadOperationsConfig(operations: OperationsStore): Promise<OperationsConfig> {
  const stored = await operations.getConfig();
  return stored ? parseOperationsConfig(stored.config) : structuredClone(DEFAULT_OPERATIONS_CONFIG);
}

/**
 * Validates a configuration file's content (partial, merged over the defaults) and stores it whole.
 * A bad file throws a ValidationError naming the fields and stores nothing.
 */
export async function saveOperationsConfig(
  deps: { operations: OperationsStore; audit: AuditLog },
  input: unknown,
  loadedBy: string,
  at: Date,
): Promise<OperationsConfig> {
  const config = parseOperationsConfig(input);
  await deps.operations.putConfig(config, loadedBy, at);
  const when = at.toISOString();
  const digest = digestOf(config);
  await recordAfter(deps.audit, {
    chainId: ADMIN_CHAIN,
    eventKey: auditKey.operationsConfig(when, digest),
    at: when,
    events: [auditEvent('OPERATIONS_CONFIG_CHANGED', when, userActor(loadedBy), { sha256: digest, config: JSON.parse(JSON.stringify(config)) as Record<string, unknown> })],
  });
  return config;
}
