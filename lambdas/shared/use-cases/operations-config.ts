// The operations configuration in use: the file loaded with `idgov config load`, or the defaults.
import { DEFAULT_OPERATIONS_CONFIG, type OperationsConfig } from '../domain/operations.js';
import { parseOperationsConfig } from '../domain/operations-config.js';
import type { OperationsStore } from './ports.js';

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
export async function saveOperationsConfig(operations: OperationsStore, input: unknown, loadedBy: string, at: Date): Promise<OperationsConfig> {
  const config = parseOperationsConfig(input);
  await operations.putConfig(config, loadedBy, at);
  return config;
}
