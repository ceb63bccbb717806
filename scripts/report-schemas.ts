// Writes the JSON Schema of the daily report and the weekly summary into docs/reports/, generated
// from their zod contracts (lambdas/shared/domain/report-schemas.ts), so that auditors' and
// operators' tools can validate what `idgov report … --json` prints and what the jobs store. A unit
// test compares the committed files with this output.
//   npm run reports:schemas
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { z } from 'zod';
import { REPORT_SCHEMAS } from '../lambdas/shared/domain/report-schemas.js';

export const REPORT_SCHEMA_DIR = fileURLToPath(new URL('../docs/reports/', import.meta.url));

/** File name → file text, for each report. */
export function renderReportSchemas(): Map<string, string> {
  return new Map(
    Object.entries(REPORT_SCHEMAS).map(([name, schema]) => [`${name}.schema.json`, `${JSON.stringify(z.toJSONSchema(schema, { io: 'output' }), null, 2)}\n`]),
  );
}

async function main(): Promise<void> {
  await mkdir(REPORT_SCHEMA_DIR, { recursive: true });
  for (const [name, text] of renderReportSchemas()) {
    await writeFile(join(REPORT_SCHEMA_DIR, name), text);
    console.log(`wrote docs/reports/${name}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  await main();
}
