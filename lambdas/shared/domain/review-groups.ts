// Self-review prevention (docs/reference/campaigns.md, "Approvers"): nobody certifies their own access. A subject's
// assignments are split into review groups; each group becomes an entry of its own, so every
// entry has one set of approvers for all its items.
import { itemIdFor } from './entries.js';
import type { SubjectKind, Substitution } from './model.js';

export interface ReviewGroup<T> {
  /** '' for the subject's main entry; `self:<userId>` for one approver's own access. */
  key: string;
  approverIds: string[];
  members: T[];
  substitutions: Substitution[];
}

/**
 * Splits off the assignments held by one of their own approvers. The other approvers of the stage
 * take them; if there are none, `nextUp(userId)` does (the holder's manager, else the campaign
 * owner). A subject with nothing to certify still gets its (empty) main entry.
 */
export function splitSelfReview<T>(
  kind: SubjectKind,
  approverIds: string[],
  members: T[],
  holderOf: (member: T) => { userId: string; privilegeId: string },
  nextUp: (userId: string) => string | undefined,
): ReviewGroup<T>[] {
  const main: ReviewGroup<T> = { key: '', approverIds, members: [], substitutions: [] };
  const own = new Map<string, ReviewGroup<T>>();
  for (const member of members) {
    const { userId, privilegeId } = holderOf(member);
    if (!approverIds.includes(userId)) {
      main.members.push(member);
      continue;
    }
    let group = own.get(userId);
    if (!group) {
      const others = approverIds.filter((id) => id !== userId);
      const substitute = others.length > 0 ? undefined : nextUp(userId);
      const substitutes = others.length > 0 ? others : substitute && substitute !== userId ? [substitute] : [];
      group = { key: `self:${userId}`, approverIds: substitutes, members: [], substitutions: [] };
      own.set(userId, group);
    }
    group.members.push(member);
    group.substitutions.push({
      itemId: itemIdFor(kind, userId, privilegeId),
      from: userId,
      to: group.approverIds.join(',') || '(nobody)',
      reason:
        group.approverIds.length === 0
          ? `${userId} would certify their own access and nobody above them can take it`
          : `${userId} would certify their own access`,
    });
  }
  const groups = [...own.values()];
  return main.members.length > 0 || groups.length === 0 ? [main, ...groups] : groups;
}

/** The entry key of a review group: the subject for the main group, so its id stays the plain one. */
export const groupEntryKey = (subjectKey: string, groupKey: string) => (groupKey ? `${subjectKey}|${groupKey}` : subjectKey);
