// The cursor a start-reapproval continuation carries (StartReapprovalCursor), checked like any event:
// it comes back through Lambda's event queue, and a bad one must be refused, naming the field.
import * as z from 'zod';
import type { StartReapprovalCursor } from '../shared/use-cases/approvals/start-reapproval.js';

const key = z.string().min(1, 'must not be empty');
const count = z.number().int().min(0);
const indexPosition = z.strictObject({ at: key.optional(), userId: key, privilegeId: key });

export const startReapprovalCursor: z.ZodType<StartReapprovalCursor> = z.discriminatedUnion('phase', [
  z.strictObject({ phase: z.literal('DUE'), after: indexPosition.required({ at: true }).optional(), done: count }),
  z.strictObject({ phase: z.literal('ROUND'), round: z.iso.date(), after: indexPosition.optional(), done: count, left: count }),
  z.strictObject({ phase: z.literal('PROGRESS'), after: z.strictObject({ nextActionAt: key, id: key }).optional(), done: count }),
  z.strictObject({ phase: z.literal('DISPATCH') }),
]);
