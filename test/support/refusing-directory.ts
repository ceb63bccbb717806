// A directory that refuses changes to one assignment, as a connector might (with a
// RefusedChangeError): a wrapper around the port's two write paths, installed on the store the controller uses; `heal()` takes it away.
import { RefusedChangeError } from '../../lambdas/shared/domain/errors.js';
import type { DirectoryStore } from '../../lambdas/shared/use-cases/ports.js';

export function refuseChangesTo(directory: DirectoryStore, userId: string, privilegeId: string): { heal(): void } {
  const remove = directory.removeAssignment.bind(directory);
  const modify = directory.modifyAssignment.bind(directory);
  const refuse = (u: string, p: string) => {
    if (u === userId && p === privilegeId) throw new RefusedChangeError(`directory refused the change to ${u}/${p} (injected)`);
  };
  directory.removeAssignment = async (u, p) => (refuse(u, p), remove(u, p));
  directory.modifyAssignment = async (u, p, change) => (refuse(u, p), modify(u, p, change));
  return {
    heal() {
      directory.removeAssignment = remove;
      directory.modifyAssignment = modify;
    },
  };
}
