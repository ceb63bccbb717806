// Reads the environment once, at cold start, and fails loudly naming every bad variable.
import { z } from 'zod';
import { ENV } from '../config/tables.js';
import { ValidationError } from '../domain/errors.js';

const controllerEnvironment = z.object({
  directoryTable: z.string().min(1, 'must be set'),
  campaignTable: z.string().min(1, 'must be set'),
  senderAddress: z.email('must be an email address'),
  sesConfigurationSet: z.string().min(1).optional(),
  approverPortalUrl: z.url('must be a URL'),
  leaseSeconds: z.coerce.number().int('must be a whole number').positive('must be positive').default(960),
  localFileHooks: z.enum(['0', '1'], { error: 'must be 0 or 1' }).default('0').transform((v) => v === '1'),
});

export type ControllerEnvironment = z.infer<typeof controllerEnvironment>;

const VARIABLES: Record<keyof ControllerEnvironment, string> = {
  directoryTable: ENV.directoryTable,
  campaignTable: ENV.campaignTable,
  senderAddress: ENV.senderAddress,
  sesConfigurationSet: ENV.sesConfigurationSet,
  approverPortalUrl: ENV.approverPortalUrl,
  leaseSeconds: ENV.leaseSeconds,
  localFileHooks: ENV.localFileHooks,
};

export function readControllerEnvironment(env: NodeJS.ProcessEnv = process.env): ControllerEnvironment {
  const raw = Object.fromEntries(
    Object.entries(VARIABLES).map(([field, variable]) => [field, env[variable] === '' ? undefined : env[variable]]),
  );
  const result = controllerEnvironment.safeParse(raw);
  if (result.success) return result.data;
  const issues = result.error.issues.map((issue) => ({
    field: VARIABLES[issue.path[0] as keyof ControllerEnvironment] ?? String(issue.path[0]),
    message: issue.code === 'invalid_type' && issue.input === undefined ? 'must be set' : issue.message,
  }));
  throw new ValidationError(`environment: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, undefined, issues);
}
