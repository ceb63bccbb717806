// A store method that fails on its n-th call, as if the process were killed there: the call does
// nothing and throws; every other call goes through. Use-case tests re-run the job afterwards.
export class InjectedKill extends Error {
  constructor(method: string, call: number) {
    super(`killed at call ${call} of ${method} (injected)`);
  }
}

type AsyncMethod = (...args: never[]) => Promise<unknown>;

/** Makes `target[method]` fail on call number `call` (1-based); `restore()` puts the method back. */
export function failOnCall<T extends object, K extends keyof T>(target: T, method: K, call: number): { calls(): number; restore(): void } {
  const original = target[method] as unknown as AsyncMethod;
  let calls = 0;
  const wrapper = async (...args: never[]) => {
    calls += 1;
    if (calls === call) throw new InjectedKill(String(method), call);
    return original.apply(target, args);
  };
  target[method] = wrapper as unknown as T[K];
  return {
    calls: () => calls,
    restore: () => {
      target[method] = original as unknown as T[K];
    },
  };
}

/**
 * Makes `target[method]` fail on call number `call` and every call after it, as a killed process
 * would (its own retries of the write fail too); `restore()` puts the method back.
 */
export function failFromCall<T extends object, K extends keyof T>(target: T, method: K, call: number): { calls(): number; restore(): void } {
  const original = target[method] as unknown as AsyncMethod;
  let calls = 0;
  const wrapper = async (...args: never[]) => {
    calls += 1;
    if (calls >= call) throw new InjectedKill(String(method), calls);
    return original.apply(target, args);
  };
  target[method] = wrapper as unknown as T[K];
  return {
    calls: () => calls,
    restore: () => {
      target[method] = original as unknown as T[K];
    },
  };
}
