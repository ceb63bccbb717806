// The one environment reader of the functions: each function's environment module declares its
// variables with zod, read once at cold start; a missing or malformed one fails loudly, naming it.
import * as z from 'zod';
import { ENV } from '../config/tables.js';
import { ValidationError } from '../domain/errors.js';

/** A function's environment: each field's variable name and the schema of its value. */
export type EnvironmentSpec = Record<string, { variable: string; schema: z.ZodType }>;

/** What every function that reads the stores and links to the approver portal declares alike. */
export const STORES_AND_PORTAL_ENVIRONMENT = {
  directoryTable: { variable: ENV.directoryTable, schema: z.string() },
  campaignTable: { variable: ENV.campaignTable, schema: z.string() },
  approverPortalUrl: { variable: ENV.approverPortalUrl, schema: z.url('must be a URL') },
} satisfies EnvironmentSpec;

export type EnvironmentOf<S extends EnvironmentSpec> = { [K in keyof S]: z.output<S[K]['schema']> };

/**
 * Reads the variables `spec` names from `env` (an empty value counts as unset, as CloudFormation
 * leaves an empty parameter), or throws a ValidationError naming every bad variable and its problem.
 */
export function readEnvironment<S extends EnvironmentSpec>(spec: S, env: NodeJS.ProcessEnv = process.env): EnvironmentOf<S> {
  const fields = Object.entries(spec);
  const raw = Object.fromEntries(fields.map(([field, { variable }]) => [field, env[variable] === '' ? undefined : env[variable]]));
  const result = z.object(Object.fromEntries(fields.map(([field, { schema }]) => [field, schema]))).safeParse(raw);
  if (result.success) return result.data as EnvironmentOf<S>;
  const issues = result.error.issues.map((issue) => {
    const field = String(issue.path[0]);
    // Zod leaves the input out of its issues: whether the variable was set is the raw value's to say.
    return { field: spec[field]?.variable ?? field, message: raw[field] === undefined ? 'must be set' : issue.message };
  });
  throw new ValidationError(`environment: ${issues.map((i) => `${i.field}: ${i.message}`).join('; ')}`, undefined, issues);
}
