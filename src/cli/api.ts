// `idgov api serve --port P`: the approver API on 127.0.0.1, over the same state as the other
// commands, until Ctrl-C (SIGINT) or SIGTERM.
import type { Command } from 'commander';
import { ValidationError } from '../../lambdas/shared/domain/errors.js';
import { startApiServer } from '../local/api-server.js';
import { approverPortalUrl, LOCAL_PORTAL_PORT } from '../local/runtime.js';
import { note, out, resolveNow, stderrLog, withRuntime } from './context.js';

export function registerApiCommands(program: Command): void {
  const api = program.command('api').description('the approver HTTP API');

  api
    .command('serve')
    .description(
      'serve the approver API and the approver portal on 127.0.0.1; the X-Idgov-User header names the caller (local only), X-Idgov-Now the time of a request',
    )
    .option('--port <port>', `port to listen on (0: any free port)`, String(LOCAL_PORTAL_PORT))
    .option('--no-portal', 'serve the API only, without the approver portal at /')
    .option('--now <iso>', 'answer every request as of this instant (default: the clock; X-Idgov-Now overrides per request)')
    .action(async (options: { port: string; now?: string; portal: boolean }, command: Command) => {
      const port = Number(options.port);
      if (!/^\d+$/.test(options.port) || port > 65_535) throw new ValidationError('must be a port number from 0 to 65535', 'port');
      const fixed = options.now === undefined ? undefined : resolveNow(options.now);
      await withRuntime(command, async (runtime) => {
        const server = await startApiServer({
          deps: {
            campaigns: runtime.campaigns,
            directory: runtime.directory,
            approvals: runtime.approvals,
            outbox: runtime.outbox,
            audit: runtime.auditLog,
            portalUrl: approverPortalUrl(runtime),
            log: stderrLog,
          },
          port,
          portal: options.portal,
          clock: { now: () => fixed ?? new Date() },
          onResponse: (r) => note(`${r.method} ${r.path} ${r.status}${r.caller ? ` (${r.caller})` : ''}`),
        });
        out(server.url);
        if (options.portal) note(`approver portal on ${server.url}/ (local sign-in: ${server.url}/local/sign-in, or ${server.url}/?as=USER_ID)`);
        if (runtime.dynamoEndpoint && runtime.mode === 'embedded') {
          // The embedded engine's folder has one holder at a time: other commands share it through its endpoint.
          note(`approver API on ${server.url}; meanwhile run other idgov commands with --endpoint ${runtime.dynamoEndpoint}`);
        }
        note('Ctrl-C to stop');
        await new Promise<void>((resolve) => {
          process.once('SIGINT', resolve);
          process.once('SIGTERM', resolve);
        });
        await server.close();
      });
    });
}
