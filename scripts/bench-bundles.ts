// `npm run bench:bundles [-- --assembly DIR]`: the size of each function's minified bundle, as
// `cdk synth` writes it (AppFunction: esbuild, minified, names kept, AWS SDK included). Without
// --assembly it runs `cdk synth -q -o <temporary folder>` first. The target is at most 1 MiB a
// bundle; the exit code is 1 when a bundle is larger. The last line printed is one JSON object:
// { "largestBundleBytes": N, "bundles": { "<function>": bytes } }.
import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { MAX_BUNDLE_BYTES, readBundledFunctions } from './bundled-functions.js';

const { values } = parseArgs({ options: { assembly: { type: 'string' } } });

function synthesize(): string {
  const outdir = mkdtempSync(join(tmpdir(), 'idgov-bench-bundles-'));
  const started = performance.now();
  const cdk = spawnSync('npx', ['cdk', 'synth', '-q', '-o', outdir], {
    stdio: ['ignore', 'ignore', 'inherit'],
    env: { ...process.env, CDK_DISABLE_CLI_TELEMETRY: '1', CDK_DISABLE_VERSION_CHECK: '1', NPM_CONFIG_UPDATE_NOTIFIER: 'false' },
  });
  if (cdk.status !== 0) {
    process.stderr.write(`cdk synth failed (exit code ${cdk.status ?? cdk.signal})\n`);
    process.exit(1);
  }
  console.log(`cdk synth -q -o ${outdir}: ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return outdir;
}

const assemblyDir = values.assembly ?? synthesize();
const functions = readBundledFunctions(assemblyDir).sort((a, b) => b.bytes - a.bytes);
if (functions.length === 0) {
  process.stderr.write(`${assemblyDir}: no bundled function (index.mjs) in this cloud assembly\n`);
  process.exit(1);
}
const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;
for (const fn of functions) {
  const verdict = fn.bytes <= MAX_BUNDLE_BYTES ? 'ok' : `OVER the ${kib(MAX_BUNDLE_BYTES)} target`;
  console.log(`${fn.name.padEnd(24)} ${String(fn.bytes).padStart(9)} bytes  ${kib(fn.bytes).padStart(11)}  ${verdict}  (${fn.constructPath})`);
}
const largestBundleBytes = functions[0]!.bytes;
console.log(JSON.stringify({ largestBundleBytes, bundles: Object.fromEntries(functions.map((fn) => [fn.name, fn.bytes])) }));
if (largestBundleBytes > MAX_BUNDLE_BYTES) process.exitCode = 1;
