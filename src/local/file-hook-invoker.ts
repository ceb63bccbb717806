// Hooks for the local runtime: `file:<path>` names an ES module whose default export is an async
// function taking the request and returning the answer. The request and the answer cross as JSON,
// as they do on Lambda, so a hook that works locally sees and returns the same thing on AWS.
import { stat } from 'node:fs/promises';
import { isAbsolute, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { LambdaHookInvoker } from '../../lambdas/shared/adapters/lambda-hook-invoker.js';
import { FILE_HOOK_PREFIX, parseHookRef } from '../../lambdas/shared/domain/hook-contracts.js';
import type { HookInvoker } from '../../lambdas/shared/use-cases/ports.js';

export interface FileHookInvokerOptions {
  /** Where relative `file:` paths start: the campaign file's folder. Default: the working directory. */
  baseDir?: string;
}

export class FileHookInvoker implements HookInvoker {
  private readonly baseDir: string;

  constructor(options: FileHookInvokerOptions = {}) {
    this.baseDir = resolve(options.baseDir ?? process.cwd());
  }

  async invoke(ref: string, request: unknown, options: { timeoutMs: number }): Promise<unknown> {
    const hook = await this.load(ref);
    const event = JSON.parse(JSON.stringify(request)) as unknown;
    let timer: NodeJS.Timeout | undefined;
    // A module function cannot be cancelled: past the deadline its answer is ignored.
    const deadline = new Promise<never>((_, reject) => {
      timer = setTimeout(() => reject(timeoutError(options.timeoutMs)), options.timeoutMs);
    });
    try {
      const answer = await Promise.race([Promise.resolve().then(() => hook(event)), deadline]);
      return asJson(answer);
    } finally {
      clearTimeout(timer);
    }
  }

  private async load(ref: string): Promise<(request: unknown) => unknown> {
    const path = fileHookPath(ref, this.baseDir);
    const found = await stat(path).catch(() => undefined);
    if (!found?.isFile()) throw new Error(`hook module ${path} not found`);
    let module: { default?: unknown };
    try {
      // The modification time in the URL makes a long-running server pick up an edited hook.
      module = (await import(`${pathToFileURL(path).href}?mtime=${found.mtimeMs}`)) as { default?: unknown };
    } catch (error) {
      throw new Error(`hook module ${path} could not be loaded: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
    if (typeof module.default !== 'function') {
      throw new Error(`hook module ${path} has no default export function (export default async function (request) { ... })`);
    }
    return module.default as (request: unknown) => unknown;
  }
}

/** The absolute path a `file:` reference names; relative paths start at `baseDir`. */
export function fileHookPath(ref: string, baseDir: string = process.cwd()): string {
  const parsed = parseHookRef(ref);
  if (parsed?.type !== 'file') throw new Error(`"${ref}" is not a file hook reference (file:<path to an ES module>)`);
  if (parsed.path.startsWith('//')) return fileURLToPath(ref); // file:///abs/hook.mjs, a file URL
  return isAbsolute(parsed.path) ? parsed.path : resolve(baseDir, parsed.path);
}

/**
 * Rewrites a relative `file:` reference as an absolute one, so that a campaign created from a file
 * in one folder still finds its hooks when the controller later runs from another. Other references
 * are returned unchanged.
 */
export function absoluteHookRef(ref: string, baseDir: string): string {
  return parseHookRef(ref)?.type === 'file' ? `${FILE_HOOK_PREFIX}${fileHookPath(ref, baseDir)}` : ref;
}

export interface HookInvokerOptions extends FileHookInvokerOptions {
  /** Client for Lambda ARNs; default a client from the environment's region and credentials, made on first use. */
  lambdaClient?: LambdaClient;
}

/**
 * The local runtime's invoker: `file:` references run a local module, Lambda function ARNs are
 * invoked on AWS. (The deployed controller uses LambdaHookInvoker alone: no files there.)
 */
export function createHookInvoker(options: HookInvokerOptions = {}): HookInvoker {
  const files = new FileHookInvoker(options);
  let lambda: LambdaHookInvoker | undefined;
  return {
    invoke(ref, request, invokeOptions) {
      const parsed = parseHookRef(ref);
      if (parsed?.type === 'file') return files.invoke(ref, request, invokeOptions);
      if (parsed?.type === 'lambda') {
        lambda ??= new LambdaHookInvoker(options.lambdaClient ?? new LambdaClient({}));
        return lambda.invoke(ref, request, invokeOptions);
      }
      return Promise.reject(new Error(`"${ref}" is neither a Lambda function ARN nor file:<path>`));
    },
  };
}

function asJson(answer: unknown): unknown {
  // Lambda answers `null` for a function that returns nothing.
  if (answer === undefined) return null;
  let text: string | undefined;
  try {
    text = JSON.stringify(answer);
  } catch (error) {
    throw new Error(`answered with a value that is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  return text === undefined ? null : (JSON.parse(text) as unknown);
}

function timeoutError(timeoutMs: number): Error {
  const error = new Error(`no answer within ${timeoutMs} ms`);
  error.name = 'TimeoutError';
  return error;
}
