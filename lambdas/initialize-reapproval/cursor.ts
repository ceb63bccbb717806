// The cursor an initialize-reapproval continuation carries (InitializeReapprovalCursor), checked like
// any event: it comes back through Lambda's event queue, and a bad one must be refused, naming the field.
import * as z from 'zod';
import type { InitializeReapprovalCursor } from '../shared/use-cases/approvals/initialize-reapproval.js';

const key = z.string().min(1, 'must not be empty');
const count = z.number().int().min(0);

export const initializeReapprovalCursor: z.ZodType<InitializeReapprovalCursor> = z.strictObject({
  afterPrivilege: key.optional(),
  current: z.strictObject({ privilegeId: key, afterUserId: key.optional(), walked: z.boolean(), left: count }).optional(),
  done: count,
});
