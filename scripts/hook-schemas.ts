// Writes the JSON Schema of every hook request and answer into docs/hooks/, generated from the zod
// contracts (lambdas/shared/domain/hook-contracts.ts) so that the documentation cannot drift from
// what the controller checks. A unit test compares the committed files with this output.
//   npm run hooks:schemas
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { HOOK_CONTRACTS, HOOK_NAMES } from '../lambdas/shared/domain/hook-contracts.js';

export const HOOK_SCHEMA_DIR = fileURLToPath(new URL('../docs/hooks/', import.meta.url));

/** File name → file text, for every hook's request and answer. */
export function renderHookSchemas(): Map<string, string> {
  const files = new Map<string, string>();
  for (const hook of HOOK_NAMES) {
    const { request, answer } = HOOK_CONTRACTS[hook];
    // Requests as input: a hook must accept request fields added later (same version), so the
    // request schema does not forbid unknown ones. Answers are strict either way.
    files.set(`${hook}.request.schema.json`, render(z.toJSONSchema(request, { io: 'input' })));
    files.set(`${hook}.answer.schema.json`, render(z.toJSONSchema(answer, { io: 'output' })));
  }
  return files;
}

function render(schema: object): string {
  return `${JSON.stringify(schema, null, 2)}\n`;
}

async function main(): Promise<void> {
  await mkdir(HOOK_SCHEMA_DIR, { recursive: true });
  for (const [name, text] of renderHookSchemas()) {
    await writeFile(join(HOOK_SCHEMA_DIR, name), text);
    console.log(`wrote docs/hooks/${name}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
