// A directory whose connector accepts some removals and does not make them: removeAssignment answers
// REMOVED for the named assignments and leaves them in place, as a connector that acknowledges a
// change it then drops would. A decorator over any directory (every other call goes through), for
// the local runtime's controller (loadJobHandler's `directory` option) and the use cases alike.
import type { DirectoryStore } from '../../lambdas/shared/use-cases/ports.js';

export function withRemovalsNotMade<D extends Pick<DirectoryStore, 'removeAssignment'>>(directory: D, assignments: readonly [userId: string, privilegeId: string][]): D {
  const kept = new Set(assignments.map(([userId, privilegeId]) => `${userId}#${privilegeId}`));
  return new Proxy(directory, {
    get(target, property) {
      if (property === 'removeAssignment') {
        return async (userId: string, privilegeId: string) => (kept.has(`${userId}#${privilegeId}`) ? 'REMOVED' : target.removeAssignment(userId, privilegeId));
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}
