// Campaign hooks as `idgov --aws` meets them. The deployed controller invokes Lambda hooks with its
// own role (the stack parameter HookFunctionArns) and cannot run a `file:` hook at all, so a campaign
// for a deployed stack must name its hooks by function ARN. `campaign preview` is the one command
// that calls hooks, and it calls them from this machine with the operator's credentials, which the
// administrators policy does not extend to hook functions: a refusal is said as such, not passed off
// as a campaign that would fail its preparation.
import { LambdaClient } from '@aws-sdk/client-lambda';
import { LambdaHookInvoker } from '../../lambdas/shared/adapters/lambda-hook-invoker.js';
import { ValidationError } from '../../lambdas/shared/domain/errors.js';
import { parseHookRef } from '../../lambdas/shared/domain/hook-contracts.js';
import type { HookInvoker } from '../../lambdas/shared/use-cases/ports.js';
import { RemoteCallError } from './remote-call-error.js';

/** Refuses, naming the field (`hooks.findApprovers`), a campaign definition with a `file:` hook. */
export function refuseFileHooks(definition: unknown): void {
  const hooks = isRecord(definition) && isRecord(definition.hooks) ? definition.hooks : {};
  for (const [name, ref] of Object.entries(hooks)) {
    if (typeof ref === 'string' && parseHookRef(ref)?.type === 'file') {
      throw new ValidationError(
        `${ref} runs only on this machine: the deployed controller invokes Lambda functions only. Name the hook by its ` +
          'function ARN (and add that ARN to the stack parameter HookFunctionArns)',
        `hooks.${name}`,
      );
    }
  }
}

/**
 * Lambda hooks invoked with the operator's credentials, remembering the first one they may not
 * invoke: `campaign preview` then reports that (assertNoRefusal) instead of a failed hook.
 */
export class OperatorHookInvoker implements HookInvoker {
  private refusal?: { ref: string; error: Error };
  private readonly lambda: LambdaHookInvoker;

  constructor(client: LambdaClient = new LambdaClient({})) {
    this.lambda = new LambdaHookInvoker(client);
  }

  async invoke(ref: string, request: unknown, options: { timeoutMs: number }): Promise<unknown> {
    try {
      return await this.lambda.invoke(ref, request, options);
    } catch (error) {
      if ((error as Error).name === 'AccessDeniedException') this.refusal ??= { ref, error: error as Error };
      throw error;
    }
  }

  /** Throws a RemoteCallError when a hook could not be invoked with the operator's credentials. */
  assertNoRefusal(definition: unknown, policyName: string): void {
    if (!this.refusal) return;
    const { ref, error } = this.refusal;
    const hooks = isRecord(definition) && isRecord(definition.hooks) ? definition.hooks : {};
    const fields = Object.entries(hooks).filter(([, value]) => value === ref).map(([name]) => `hooks.${name}`);
    throw new RemoteCallError(
      `campaign preview calls the campaign's hooks with your credentials, and they may not invoke ${fields.join(', ') || 'the hook'} ` +
        `${ref} (${error.name}: ${error.message}). The ${policyName} policy lets you invoke the controller, not hook functions ` +
        '(the deployed controller invokes those with its own role). Preview with credentials allowed lambda:InvokeFunction on ' +
        'that function, or check the file without calling hooks: idgov --aws campaign validate FILE',
      { cause: error },
    );
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
