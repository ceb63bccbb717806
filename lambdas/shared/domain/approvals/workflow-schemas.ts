// The files an administrator writes for approval workflows (docs/reference/reapproval.md): the
// workflow file (`idgov workflow load`) and a privilege's `approvalWorkflowId` / `reapproval`
// settings in the directory file. Strict: an unknown field is refused, named. Parse them with
// `parseInput` (domain/schemas.ts), which turns every issue into a ValidationError naming the field.
// This module imports no other schema module, so that domain/schemas.ts can build on it.
import * as z from 'zod';
import { APPROVER_KEYWORDS, DEFAULT_WORKFLOW, TIMEOUT_ACTIONS } from './model.js';

/** A workflow id: it appears in keys and in `approvedBy` (`workflow:<id>`), so a plain token. */
export const workflowIdSchema = z
  .string()
  .trim()
  .min(1, 'must not be empty')
  .max(128, 'must be at most 128 characters')
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'must be letters, digits, ".", "_" or "-", beginning with a letter or digit');

/** `MANAGER`, `PRIVILEGE_OWNER`, or a user id (checked against the directory when the file is loaded). */
const approverSchema = z.string().trim().min(1, 'must not be empty').max(256, 'must be at most 256 characters');

export const workflowStepSchema = z
  .strictObject({
    name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters').optional(),
    approvers: z.array(approverSchema).min(1, 'must name at least one approver'),
    timeoutDays: z.number('must be a number of days').int('must be a whole number').min(1, 'must be at least 1').max(365, 'must be at most 365'),
    onTimeout: z.enum(TIMEOUT_ACTIONS, `must be one of ${TIMEOUT_ACTIONS.join(', ')}`),
    afterEscalation: z.enum(['APPROVE', 'REJECT'], 'must be APPROVE or REJECT').optional(),
  })
  .superRefine((step, ctx) => {
    if (step.afterEscalation !== undefined && step.onTimeout !== 'ESCALATE') {
      ctx.addIssue({ code: 'custom', path: ['afterEscalation'], message: 'only with onTimeout ESCALATE' });
    }
    const seen = new Set<string>();
    step.approvers.forEach((approver, i) => {
      if (seen.has(approver)) ctx.addIssue({ code: 'custom', path: ['approvers', i], message: `duplicate ${approver}` });
      seen.add(approver);
    });
  });

export const workflowSchema = z.strictObject({
  id: workflowIdSchema.refine((id) => id !== DEFAULT_WORKFLOW.id, `"${DEFAULT_WORKFLOW.id}" is reserved for the product's default workflow`),
  name: z.string().trim().min(1, 'must not be empty').max(200, 'must be at most 200 characters'),
  description: z.string().max(2000, 'must be at most 2000 characters').optional(),
  steps: z.array(workflowStepSchema).min(1, 'must have at least one step'),
});

export const workflowFileSchema = z
  .strictObject({ workflows: z.array(workflowSchema).min(1, 'must list at least one workflow') })
  .superRefine((file, ctx) => {
    const seen = new Set<string>();
    file.workflows.forEach((workflow, i) => {
      if (seen.has(workflow.id)) ctx.addIssue({ code: 'custom', path: ['workflows', i, 'id'], message: `duplicate id ${workflow.id}` });
      seen.add(workflow.id);
    });
  });

export type WorkflowFile = z.infer<typeof workflowFileSchema>;

/** Whether an approver entry names a user (to be checked against the directory) rather than a keyword. */
export const isNamedApprover = (approver: string): boolean => !(APPROVER_KEYWORDS as readonly string[]).includes(approver);

/**
 * A privilege's `reapproval`: CONTINUOUS every `intervalDays` after the last approval, or SCHEDULED
 * on the domain's date. Discriminated on `mode`; `workflowId` overrides the privilege's
 * `approvalWorkflowId` for re-approval. The re-approval state of assignments is not a file's to set.
 */
export const reapprovalSettingsSchema = z.discriminatedUnion('mode', [
  z.strictObject({
    mode: z.literal('CONTINUOUS'),
    intervalDays: z.number('must be a number of days').int('must be a whole number').min(1, 'must be at least 1').max(3650, 'must be at most 3650'),
    workflowId: workflowIdSchema.optional(),
  }),
  z.strictObject({
    mode: z.literal('SCHEDULED'),
    workflowId: workflowIdSchema.optional(),
  }),
]);

/** `idgov reapproval schedule --date`: a real calendar date. */
export const scheduledDateSchema = z.iso.date('must be a date (YYYY-MM-DD)');

/**
 * An approver's decision on an approval run's one item: APPROVE or REJECT, with a comment. A run
 * decides whether the access stays, so MODIFY (a campaign's change of end date or parameters) is refused.
 */
export const approvalDecisionSchema = z.strictObject({
  itemId: z.string().trim().min(1, 'must not be empty').optional(),
  outcome: z.enum(['APPROVE', 'REJECT'], {
    error: (issue) => (issue.input === 'MODIFY' ? 'an approval run is approved or rejected: MODIFY is not available' : 'must be APPROVE or REJECT'),
  }),
  comment: z.string().max(2000, 'must be at most 2000 characters').optional(),
});
