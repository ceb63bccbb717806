// Where an API refusal is shown: next to the control its `field` names (decisions.3.endDate is the
// end date of the fourth item sent), else at the top of the view. Messages stay the API's words.
import type { DecisionInput } from '../../../lambdas/approver-api/api-types.js';
import { ApiError } from './api-client.js';

/** Messages by where they show: `<itemId>:comment|endDate|parameters|row`, `bulk:comment`, a form field's name, or `top`. */
export type ErrorMap = Record<string, string>;

interface Issue {
  field: string | undefined;
  message: string;
}

function issuesOf(error: unknown): Issue[] {
  if (!(error instanceof ApiError)) return [{ field: undefined, message: error instanceof Error ? error.message : String(error) }];
  const issues = error.issues.length > 0 ? error.issues : [{ field: error.field, message: error.message }];
  // Shown next to its field, a message need not name the field again ("justification: must be ..." → "must be ...").
  return issues.map(({ field, message }) => ({ field, message: field && message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message }));
}

function add(map: ErrorMap, key: string, message: string): void {
  map[key] = map[key] ? `${map[key]}; ${message}` : message;
}

/**
 * Places the refusal of a decisions request. `sent` is what was posted, in order; `bulk` says the
 * comment came from the shared "Comment for selected" field.
 */
export function decisionErrors(error: unknown, sent: Pick<DecisionInput, 'itemId'>[], bulk: boolean): ErrorMap {
  const map: ErrorMap = {};
  for (const issue of issuesOf(error)) {
    const field = issue.field ?? '';
    const indexed = /^decisions\.(\d+)\.(.+)$/.exec(field);
    // A single decision is checked as itself: its fields come without the `decisions.0.` prefix.
    const index = indexed ? Number(indexed[1]) : sent.length === 1 && /^(itemId|outcome|endDate|parameters|comment)\b/.test(field) ? 0 : undefined;
    const rest = indexed ? indexed[2]! : field;
    const itemId = index !== undefined ? sent[index]?.itemId : undefined;
    if (!itemId) {
      add(map, 'top', field && !['decisions', 'all', 'id', '(root)'].includes(field) ? `${field}: ${issue.message}` : issue.message);
      continue;
    }
    const control = rest.startsWith('comment') ? 'comment' : rest.startsWith('endDate') ? 'endDate' : rest.startsWith('parameters') ? 'parameters' : 'row';
    if (control === 'comment' && bulk) add(map, 'bulk:comment', issue.message);
    else add(map, `${itemId}:${control}`, control === 'parameters' && rest !== 'parameters' ? `${rest.slice('parameters.'.length)}: ${issue.message}` : issue.message);
  }
  return map;
}

/** Places the refusal of a form whose body fields are `fields` (reassignment: to, justification, extendDays). */
export function formErrors(error: unknown, fields: readonly string[]): ErrorMap {
  const map: ErrorMap = {};
  for (const issue of issuesOf(error)) {
    if (issue.field && fields.includes(issue.field)) add(map, issue.field, issue.message);
    else add(map, 'top', issue.message);
  }
  return map;
}
