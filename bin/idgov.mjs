#!/usr/bin/env node
// The `idgov` command: runs the TypeScript CLI through tsx, with stdout kept for command output only.
import { register } from 'tsx/esm/api';

// The SDK warns on Node < 22 at the first client call; that is a notice for maintainers, not output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
// Node prints process warnings itself; replace its printer with one that skips known noise.
process.removeAllListeners('warning');
process.on('warning', (warning) => {
  if (warning.name === 'NodeVersionSupportWarning' || warning.message.startsWith('NodeVersionSupportWarning')) return;
  if (warning.name === 'ExperimentalWarning' && !process.env.IDGOV_DEBUG) return;
  process.stderr.write(`${warning.name}: ${warning.message}\n`);
});

register();
const { runCli } = await import('../src/cli/main.ts');
const code = await runCli(process.argv);
// Lingering sockets (SDK keep-alive) must not keep a finished command alive; stdout is flushed first.
process.stdout.write('', () => process.exit(code));
