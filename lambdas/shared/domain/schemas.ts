// Validation of everything that crosses a boundary: directory files, campaign files, decisions.
// Each failure names the field (a dotted path) and the problem.
import * as z from 'zod';
import { reapprovalSettingsSchema, workflowIdSchema } from './approvals/workflow-schemas.js';
import { ValidationError } from './errors.js';
import {
  CAMPAIGN_KINDS,
  DECISION_OUTCOMES,
  NOTIFICATION_KINDS,
  ORIGINS,
  REVOCATION_ACTIONS,
  RISK_LEVELS,
} from './model.js';

const id = z.string().trim().min(1, 'must not be empty').max(256, 'must be at most 256 characters');

/**
 * A user's or privilege's id as the directory file gives it: '#' separates the parts of the storage
 * keys and cursors it goes into (`<userId>#<privilegeId>`), so an id holding one would make two
 * assignments' keys meet. Only loading refuses it: what was loaded before (and items prepared from
 * it) can still be named in decisions and commands.
 */
const directoryId = id.refine((s) => !s.includes('#'), { message: "must not contain '#' (it separates the parts of storage keys)" });

/** A plain date (midnight UTC) or an ISO 8601 instant with an offset. */
export const isoInstant = z
  .string()
  .refine((s) => z.iso.date().safeParse(s).success || z.iso.datetime({ offset: true }).safeParse(s).success, {
    message: 'must be an ISO 8601 date (YYYY-MM-DD) or date-time (YYYY-MM-DDTHH:MM:SSZ)',
  })
  .transform((s) => new Date(s).toISOString());

const attributes = z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.array(z.string())]));

/** A break-glass or last-admin account or privilege (docs/reference/guards.md): never removed, and why. */
export const protectionSchema = z.strictObject({
  reason: z
    .string({ error: (issue) => (issue.input === undefined ? 'is required: say why it is protected' : 'must be a string') })
    .trim()
    .min(1, 'must not be empty: say why it is protected')
    .max(500, 'must be at most 500 characters'),
});

export const userSchema = z.strictObject({
  id: directoryId,
  displayName: z.string().min(1, 'must not be empty'),
  email: z.email('must be an email address'),
  managerId: directoryId.optional(),
  department: z.string().optional(),
  status: z.enum(['ACTIVE', 'DISABLED']).default('ACTIVE'),
  riskLevel: z.enum(RISK_LEVELS).optional(),
  attributes: attributes.optional(),
  protected: protectionSchema.optional(),
});

export const privilegeSchema = z.strictObject({
  id: directoryId,
  name: z.string().min(1, 'must not be empty'),
  ownerIds: z.array(directoryId).default([]),
  riskLevel: z.enum(RISK_LEVELS).optional(),
  attributes: attributes.optional(),
  /** Its approval workflow (docs/reference/reapproval.md); loaded workflows are checked when a run starts. */
  approvalWorkflowId: workflowIdSchema.optional(),
  reapproval: reapprovalSettingsSchema.optional(),
  protected: protectionSchema.optional(),
});

export const assignmentSchema = z.strictObject({
  userId: directoryId,
  privilegeId: directoryId,
  origin: z.enum(ORIGINS),
  endDate: isoInstant.optional(),
  parameters: z.record(z.string(), z.string()).optional(),
  grantedAt: isoInstant.optional(),
  approvedAt: isoInstant.optional(),
  approvedBy: id.optional(),
});

export const directoryFileSchema = z
  .strictObject({
    users: z.array(userSchema).default([]),
    privileges: z.array(privilegeSchema).default([]),
    assignments: z.array(assignmentSchema).default([]),
  })
  .superRefine((dir, ctx) => {
    const dup = (values: string[], path: string) => {
      const seen = new Set<string>();
      values.forEach((v, i) => {
        if (seen.has(v)) ctx.addIssue({ code: 'custom', path: [path, i], message: `duplicate ${v}` });
        seen.add(v);
      });
    };
    dup(dir.users.map((u) => u.id), 'users');
    dup(dir.privileges.map((p) => p.id), 'privileges');
    dup(dir.assignments.map((a) => `${a.userId}/${a.privilegeId}`), 'assignments');
  });

export type DirectoryFile = z.infer<typeof directoryFileSchema>;

const templateSchema = z.strictObject({
  active: z.boolean().optional(),
  subject: z.string().min(1).optional(),
  body: z.string().min(1).optional(),
});

export const campaignDefinitionSchema = z.strictObject({
  name: z.string().trim().min(1, 'must not be empty').max(200),
  description: z.string().optional(),
  kind: z.enum(CAMPAIGN_KINDS),
  ownerId: id,
  startDate: isoInstant,
  // Presence is checked at campaign start (docs/reference/campaigns.md (start): a missing period fails the start, it is not a bad file).
  approvalPeriodDays: z.number().int('must be a whole number').positive('must be positive').max(3650).optional(),
  dueDate: isoInstant.optional(),
  statusExpirationDate: isoInstant.optional(),
  subjects: z.strictObject({ filter: z.string().optional() }).default({}),
  resources: z.strictObject({ filter: z.string().optional() }).optional(),
  reminders: z
    .strictObject({
      daysBeforeDue: z.number().nonnegative('must not be negative').max(3650),
      intervalHours: z.number().positive('must be positive').max(24 * 3650),
    })
    .optional(),
  revocation: z.strictObject({
    rejected: z.enum(REVOCATION_ACTIONS),
    modified: z.enum(REVOCATION_ACTIONS),
    uncertified: z.enum(REVOCATION_ACTIONS),
  }),
  /** The blast-radius cap (docs/reference/guards.md): the share of items applying may remove without the owner's confirmation. */
  guard: z
    .strictObject({
      maxRemovalShare: z
        .number('must be a number from 0 to 1')
        .min(0, 'must be from 0 to 1 (a share of the items, e.g. 0.2 for 20 %)')
        .max(1, 'must be from 0 to 1 (a share of the items, e.g. 0.2 for 20 %)')
        .optional(),
    })
    .optional(),
  recurrence: z.strictObject({ intervalDays: z.number().int().positive('must be positive') }).optional(),
  hooks: z
    .strictObject({ findSubjects: z.string().optional(), limitResources: z.string().optional(), findApprovers: z.string().optional() })
    .optional(),
  /** Per-campaign overrides of the default templates, by kind. */
  notifications: z.partialRecord(z.enum(NOTIFICATION_KINDS), templateSchema).optional(),
});

export type CampaignFile = z.infer<typeof campaignDefinitionSchema>;

export const decisionInputSchema = z
  .strictObject({
    itemId: id,
    outcome: z.enum(DECISION_OUTCOMES),
    endDate: isoInstant.nullable().optional(),
    // A value sets the parameter; null removes it from the assignment.
    parameters: z.record(z.string(), z.string().nullable()).optional(),
    comment: z.string().max(2000, 'must be at most 2000 characters').optional(),
  })
  .superRefine((d, ctx) => {
    if (d.outcome === 'MODIFY' && d.endDate === undefined && Object.keys(d.parameters ?? {}).length === 0) {
      ctx.addIssue({ code: 'custom', path: ['outcome'], message: 'MODIFY needs an endDate or parameters' });
    }
    if (Object.keys(d.parameters ?? {}).some((name) => name.trim() === '')) {
      ctx.addIssue({ code: 'custom', path: ['parameters'], message: 'a parameter name must not be empty' });
    }
    if (d.outcome !== 'MODIFY' && (d.endDate !== undefined || d.parameters !== undefined)) {
      ctx.addIssue({ code: 'custom', path: ['outcome'], message: 'only MODIFY may change endDate or parameters' });
    }
  });
export type DecisionInput = z.infer<typeof decisionInputSchema>;

/** Formats a zod error as one ValidationError naming every bad field. */
export function toValidationError(error: z.ZodError, prefix?: string): ValidationError {
  const issues = error.issues.flatMap((issue) => {
    const at = (extra: string[] = []) => [prefix, ...issue.path.map(String), ...extra].filter(Boolean).join('.') || '(root)';
    // An unknown key is named as the field itself, so the administrator sees where it is.
    if (issue.code === 'unrecognized_keys') return issue.keys.map((key) => ({ field: at([key]), message: 'unknown field' }));
    return [{ field: at(), message: issue.message }];
  });
  const message = issues.map((i) => `${i.field}: ${i.message}`).join('; ');
  return new ValidationError(message, undefined, issues);
}

/** Parses or throws a ValidationError naming the fields. */
export function parseInput<S extends z.ZodType>(schema: S, value: unknown, prefix?: string): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw toValidationError(result.error, prefix);
  return result.data;
}
