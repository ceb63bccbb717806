// The versioned JSON contracts of the campaign hooks (docs/reference/campaigns.md, Selection and Approvers), defined once:
// the controller validates every answer against them, scripts/hook-schemas.ts turns them into the
// JSON Schemas of docs/hooks/, and hook authors read those. Pure: no AWS, no I/O.
//
// Versioning: `version` is 1 in every request and answer. Adding an optional request field keeps the
// version (hooks ignore request fields they do not know); anything else bumps it. Answers are strict:
// an unknown field is a contract violation, so a typo never passes silently.
import * as z from 'zod';
import { ValidationError } from './errors.js';
import { CAMPAIGN_KINDS, type Campaign } from './model.js';
import { toValidationError } from './schemas.js';

export const HOOK_CONTRACT_VERSION = 1;

export const HOOK_NAMES = ['findSubjects', 'limitResources', 'findApprovers'] as const;
export type HookName = (typeof HOOK_NAMES)[number];

export const isHookName = (value: string): value is HookName => (HOOK_NAMES as readonly string[]).includes(value);

/** Subjects a findSubjects hook may return: the size of the largest campaign a run prepares. */
export const MAX_HOOK_SUBJECTS = 100_000;
/** Approval stages a findApprovers hook may return. */
export const MAX_HOOK_STAGES = 5;

// Hook references -------------------------------------------------------------------------------

/** `arn:<partition>:lambda:<region>:<account>:function:<name>[:<qualifier>]` (version or alias). */
export const LAMBDA_FUNCTION_ARN =
  /^arn:aws[a-z-]*:lambda:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:function:[A-Za-z0-9_-]{1,64}(?::(?:\$LATEST|[A-Za-z0-9_-]{1,128}))?$/;

export const FILE_HOOK_PREFIX = 'file:';

export type HookRef = { type: 'lambda'; arn: string } | { type: 'file'; path: string };

/** Reads a hook reference from a campaign file; undefined if it is neither a function ARN nor `file:<path>`. */
export function parseHookRef(ref: string): HookRef | undefined {
  if (LAMBDA_FUNCTION_ARN.test(ref)) return { type: 'lambda', arn: ref };
  if (ref.startsWith(FILE_HOOK_PREFIX) && ref.length > FILE_HOOK_PREFIX.length) {
    return { type: 'file', path: ref.slice(FILE_HOOK_PREFIX.length) };
  }
  return undefined;
}

// Building blocks ---------------------------------------------------------------------------------

const version = z
  .literal(HOOK_CONTRACT_VERSION, { error: `must be ${HOOK_CONTRACT_VERSION}, the contract version of the request` })
  .meta({ description: 'Contract version; 1 for this contract.' });

const id = z.string().min(1, 'must not be empty').max(256, 'must be at most 256 characters');
const instant = z.iso.datetime({ error: 'must be an ISO 8601 UTC date-time (YYYY-MM-DDTHH:MM:SS.sssZ)' });

/** An array of ids where each id appears once; a repeat is named by its index. */
const uniqueIds = (what: string) =>
  z
    .array(id)
    .superRefine((values, ctx) => {
      const seen = new Set<string>();
      values.forEach((value, index) => {
        if (seen.has(value)) ctx.addIssue({ code: 'custom', path: [index], message: `duplicate ${what} ${value}` });
        seen.add(value);
      });
    })
    .meta({ uniqueItems: true });

const campaign = z
  .object({
    id,
    name: z.string().min(1),
    kind: z.enum(CAMPAIGN_KINDS),
    ownerId: id.meta({ description: 'The campaign administrator (a user id).' }),
    startDate: instant,
    dueDate: instant.meta({ description: 'When the campaign closes and its decisions are applied.' }),
  })
  .meta({ description: 'The campaign being prepared.' });

const now = instant.meta({ description: "The controller's clock: use it instead of the wall clock." });

const subjectKind = z
  .enum(CAMPAIGN_KINDS)
  .meta({ description: 'USER: the subject is a user; PRIVILEGE: the subject is a privilege.' });

const assignment = z.object({
  userId: id,
  privilegeId: id,
  endDate: instant.optional(),
  parameters: z.record(z.string(), z.string()).optional().meta({ description: 'Role parameters, e.g. {"project": "apollo"}.' }),
});

const assignments = z
  .array(assignment)
  .meta({ description: "The subject's manual assignments that the campaign certifies (after the resource filter, if any)." });

const assignmentKey = z.strictObject({ userId: id, privilegeId: id });
const pairKey = (a: { userId: string; privilegeId: string }) => `${a.userId}\u0000${a.privilegeId}`;

// findSubjects ------------------------------------------------------------------------------------

export const findSubjectsRequestSchema = z
  .object({ version, hook: z.literal('findSubjects'), campaign, now })
  .meta({
    title: 'findSubjects request',
    description: 'Sent once when a campaign starts preparing, instead of evaluating its subject filter.',
  });

export const findSubjectsAnswerSchema = z
  .strictObject({
    version,
    subjectIds: uniqueIds('subject id')
      .max(MAX_HOOK_SUBJECTS, `must hold at most ${MAX_HOOK_SUBJECTS} ids`)
      .meta({
        description:
          'The subjects to certify: user ids for a USER campaign, privilege ids for a PRIVILEGE campaign. Each id once; may be empty.',
      }),
  })
  .meta({ title: 'findSubjects answer' });

// limitResources ----------------------------------------------------------------------------------

export const limitResourcesRequestSchema = z
  .object({
    version,
    hook: z.literal('limitResources'),
    campaign,
    now,
    subject: z.object({ kind: subjectKind, id, name: z.string() }),
    assignments,
  })
  .meta({
    title: 'limitResources request',
    description: 'Sent once per subject: the hook says which of its assignments the campaign certifies.',
  });

export const limitResourcesAnswerSchema = z
  .strictObject({
    version,
    keep: z.array(assignmentKey).meta({
      description:
        "The assignments to certify, each named by userId and privilegeId: a subset of the request's assignments, each once. Empty: nothing to certify for this subject.",
      uniqueItems: true,
    }),
  })
  .meta({ title: 'limitResources answer' });

// findApprovers -----------------------------------------------------------------------------------

export const findApproversRequestSchema = z
  .object({
    version,
    hook: z.literal('findApprovers'),
    campaign,
    now,
    subject: z.object({
      kind: subjectKind,
      id,
      name: z.string(),
      managerId: id.optional().meta({ description: 'USER subjects: their manager, if any.' }),
      ownerIds: z.array(id).optional().meta({ description: 'PRIVILEGE subjects: their owners.' }),
    }),
    assignments,
    defaultApproverIds: z.array(id).meta({
      description: "Who would approve without the hook: the user's manager (USER) or the privilege's owners (PRIVILEGE). May be empty.",
    }),
  })
  .meta({
    title: 'findApprovers request',
    description: 'Sent once per subject after resource limitation: the hook names the approval stages of its entry.',
  });

export const approvalStageSchema = z
  .strictObject({
    approverIds: uniqueIds('approver id')
      .min(1, 'must not be empty')
      .meta({ description: 'User ids; any one of them decides for the stage.' }),
    name: z.string().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
    periodDays: z
      .number()
      .int('must be a whole number')
      .positive('must be positive')
      .max(3650, 'must be at most 3650')
      .optional()
      .meta({ description: "Days the stage has from its start; default: the campaign's approval period." }),
  })
  .meta({ description: 'One approval stage.' });

export const findApproversAnswerSchema = z
  .strictObject({
    version,
    stages: z
      .array(approvalStageSchema)
      .max(MAX_HOOK_STAGES, `must hold at most ${MAX_HOOK_STAGES} stages`)
      .meta({
        description:
          'Ordered approval stages. Stage n+1 starts when stage n is finished or expired and sees only what earlier stages approved. No stage: the subject has no approver.',
      }),
  })
  .meta({ title: 'findApprovers answer' });

// The contract map ---------------------------------------------------------------------------------

export const HOOK_CONTRACTS = {
  findSubjects: { request: findSubjectsRequestSchema, answer: findSubjectsAnswerSchema },
  limitResources: { request: limitResourcesRequestSchema, answer: limitResourcesAnswerSchema },
  findApprovers: { request: findApproversRequestSchema, answer: findApproversAnswerSchema },
} as const satisfies Record<HookName, { request: z.ZodType; answer: z.ZodType }>;

export type FindSubjectsRequest = z.infer<typeof findSubjectsRequestSchema>;
export type FindSubjectsAnswer = z.infer<typeof findSubjectsAnswerSchema>;
export type LimitResourcesRequest = z.infer<typeof limitResourcesRequestSchema>;
export type LimitResourcesAnswer = z.infer<typeof limitResourcesAnswerSchema>;
export type FindApproversRequest = z.infer<typeof findApproversRequestSchema>;
export type FindApproversAnswer = z.infer<typeof findApproversAnswerSchema>;
export type ApprovalStage = z.infer<typeof approvalStageSchema>;
export type HookCampaign = z.infer<typeof campaign>;
export type HookAssignment = z.infer<typeof assignment>;

export type HookRequest<H extends HookName> = z.infer<(typeof HOOK_CONTRACTS)[H]['request']>;
export type HookAnswer<H extends HookName> = z.infer<(typeof HOOK_CONTRACTS)[H]['answer']>;

export type HookCheck<T> = { success: true; data: T } | { success: false; error: ValidationError };

/**
 * Checks a request that idgov is about to send against its own contract; the data is the request
 * reduced to the contract's fields (anything else the caller passed is left out).
 */
export function checkHookRequest<H extends HookName>(hook: H, request: unknown): HookCheck<HookRequest<H>> {
  const result = HOOK_CONTRACTS[hook].request.safeParse(request);
  if (!result.success) return { success: false, error: toValidationError(result.error) };
  return { success: true, data: result.data as HookRequest<H> };
}

/**
 * Checks a hook's answer against the contract, and against the request where the contract relates
 * the two (limitResources keeps only assignments it was given). Failures name the field.
 */
export function checkHookAnswer<H extends HookName>(hook: H, request: HookRequest<H>, answer: unknown): HookCheck<HookAnswer<H>> {
  const result = HOOK_CONTRACTS[hook].answer.safeParse(answer);
  if (!result.success) return { success: false, error: toValidationError(result.error) };
  if (hook === 'limitResources') {
    const issues = keepOutsideRequest(request as LimitResourcesRequest, result.data as LimitResourcesAnswer);
    if (issues.length > 0) {
      const message = issues.map((issue) => `${issue.field}: ${issue.message}`).join('; ');
      return { success: false, error: new ValidationError(message, undefined, issues) };
    }
  }
  return { success: true, data: result.data as HookAnswer<H> };
}

function keepOutsideRequest(request: LimitResourcesRequest, answer: LimitResourcesAnswer) {
  const given = new Set(request.assignments.map(pairKey));
  const kept = new Set<string>();
  const issues: { field: string; message: string }[] = [];
  answer.keep.forEach((pair, index) => {
    const key = pairKey(pair);
    if (!given.has(key)) {
      issues.push({ field: `keep.${index}`, message: `${pair.userId}/${pair.privilegeId} is not one of the request's assignments` });
    } else if (kept.has(key)) {
      issues.push({ field: `keep.${index}`, message: `duplicate ${pair.userId}/${pair.privilegeId}` });
    }
    kept.add(key);
  });
  return issues;
}

/** The campaign as hooks see it; the controller sets the due date at start, before any hook runs. */
export function hookCampaignOf(campaign: Campaign): HookCampaign {
  if (!campaign.dueDate) throw new Error(`campaign ${campaign.id} has no due date yet: hooks run after the start validation`);
  return {
    id: campaign.id,
    name: campaign.name,
    kind: campaign.kind,
    ownerId: campaign.ownerId,
    startDate: campaign.startDate,
    dueDate: campaign.dueDate,
  };
}
