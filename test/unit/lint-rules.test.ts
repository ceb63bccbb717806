// The layering rules of eslint.config.js fire: each forbidden import in Lambda code is reported
// (static, re-exported and dynamic), and the legitimate ones are not.
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));
const eslint = new ESLint({ cwd: root, overrideConfigFile: 'eslint.config.js' });

/** The rule ids and messages ESLint reports for `code` as if it were the file at `filePath`. */
async function lint(filePath: string, code: string): Promise<{ ruleId: string | null; message: string }[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return result!.messages.map(({ ruleId, message }) => ({ ruleId, message }));
}

const SRC_IMPORT = /must not import src\//;
const FUNCTION_FOLDER = /must not depend on a function's folder/;
const DYNAMIC_IMPORT = /No dynamic import\(\)/;

describe('Lambda code never reaches src/, scripts/, test/ or bin/', () => {
  it.each([
    ['lambdas/campaign-controller/dependencies.ts', "import { createHookInvoker } from '../../src/local/file-hook-invoker.js';\nexport const h = createHookInvoker;\n"],
    ['lambdas/shared/adapters/controller-wiring.ts', "export { createHookInvoker } from '../../../src/local/file-hook-invoker.js';\n"],
    ['lambdas/shared/domain/model-extra.ts', "import type { Runtime } from '../../../src/local/runtime.js';\nexport type R = Runtime;\n"],
    ['lambdas/shared/use-cases/extra.ts', "import { x } from '../../../src/cli/main.js';\nexport const y = x;\n"],
    ['lambdas/shared/adapters/dynamo/probe.ts', "export { instrumentWrites } from '../../../../scripts/support/instrument-writes.js';\n"],
    ['lambdas/campaign-controller/fixtures.ts', "export { smallOrg } from '../../test/support/small-org.js';\n"],
  ])('reports a static import of local code in %s', async (filePath, code) => {
    const messages = await lint(filePath, code);
    expect(messages).toContainEqual({ ruleId: 'no-restricted-imports', message: expect.stringMatching(SRC_IMPORT) });
  });

  it('reports any dynamic import() in Lambda code, of src/ or not', async () => {
    for (const [filePath, code] of [
      ['lambdas/shared/adapters/hooks.ts', "export const load = () => import('../../../src/local/file-hook-invoker.js');\n"],
      ['lambdas/campaign-controller/handler.ts', 'export const load = (name: string) => import(`../shared/adapters/${name}.js`);\n'],
    ]) {
      expect(await lint(filePath!, code!)).toContainEqual({ ruleId: 'no-restricted-syntax', message: expect.stringMatching(DYNAMIC_IMPORT) });
    }
  });

  it('lets the local runtime import Lambda code and load it dynamically', async () => {
    const code =
      "import { ENV } from '../../lambdas/shared/config/tables.js';\n" +
      "export const load = () => import('../../lambdas/campaign-controller/handler.js');\nexport const env = ENV;\n";
    expect(await lint('src/local/runtime-extra.ts', code)).toEqual([]);
  });
});

describe("shared code never depends on a function's folder", () => {
  it.each([
    ['lambdas/shared/adapters/approver-api-dependencies.ts', "import type { ApproverApiDeps } from '../../approver-api/routes.js';\nexport type D = ApproverApiDeps;\n"],
    ['lambdas/shared/adapters/dynamo/x.ts', "export { handler } from '../../../campaign-controller/handler.js';\n"],
    ['lambdas/shared/domain/x.ts', "import { requestedTime } from '../../campaign-controller/event.js';\nexport const t = requestedTime;\n"],
    ['lambdas/shared/use-cases/x.ts', "import { APPROVER_API_ROUTES } from '../../approver-api/api-routes.js';\nexport const r = APPROVER_API_ROUTES;\n"],
  ])('reports %s', async (filePath, code) => {
    expect(await lint(filePath, code)).toContainEqual({ ruleId: 'no-restricted-imports', message: expect.stringMatching(FUNCTION_FOLDER) });
  });

  it('lets a function import shared code and its own files, and shared code import shared code', async () => {
    expect(
      await lint(
        'lambdas/approver-api/dependencies.ts',
        "import { createDocumentClient } from '../shared/adapters/dynamo/document-client.js';\n" +
          "import type { ApproverApiDeps } from './routes.js';\nexport const c = createDocumentClient;\nexport type D = ApproverApiDeps;\n",
      ),
    ).toEqual([]);
    expect(
      await lint(
        'lambdas/shared/adapters/dynamo/x.ts',
        "import { ValidationError } from '../../domain/errors.js';\nimport { ENV } from '../../config/tables.js';\nexport const v = [ValidationError, ENV];\n",
      ),
    ).toEqual([]);
  });
});

describe('zod is imported as a namespace in Lambda code', () => {
  it.each([["import { z } from 'zod';"], ["import z from 'zod';"]])('reports `%s`', async (line) => {
    expect(await lint('lambdas/shared/domain/x.ts', `${line}\nexport const s = z.string();\n`)).toContainEqual({
      ruleId: 'no-restricted-syntax',
      message: expect.stringMatching(/import \* as z from 'zod'/),
    });
  });

  it("accepts `import * as z from 'zod'`", async () => {
    expect(await lint('lambdas/shared/domain/x.ts', "import * as z from 'zod';\nexport const s = z.string();\n")).toEqual([]);
  });
});
