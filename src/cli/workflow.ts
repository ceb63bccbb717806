// `idgov workflow load FILE` and `idgov workflow list`: the approval workflows re-approvals and
// campaign hand-overs run (docs/reference/reapproval.md, "Workflows file").
import type { Command } from 'commander';
import type { ApprovalWorkflow, WorkflowStep } from '../../lambdas/shared/domain/approvals/model.js';
import { listWorkflows, loadWorkflows } from '../../lambdas/shared/use-cases/approvals/workflow-admin.js';
import { readJsonFile } from './campaign.js';
import { out, outJson, resolveNow, showDate, table, withRuntime } from './context.js';

export function registerWorkflowCommands(program: Command): void {
  const workflow = program.command('workflow').description('load and list approval workflows (re-approval, campaign hand-over)');

  workflow
    .command('load')
    .description('check a workflows file (JSON, { "workflows": [...] }) and store its workflows, replacing those with the same ids')
    .argument('<file>', 'workflows file, e.g. examples/workflows.json')
    .option('--by <name>', 'who loads them (stored with each)', 'idgov-cli')
    .option('--now <iso>', 'time of the load (default: now)')
    .option('--json', 'print the stored workflows as JSON')
    .action(async (file: string, options: { by: string; now?: string; json?: boolean }, command: Command) => {
      const now = resolveNow(options.now);
      // Read before opening the store; the use case checks the whole file before it writes anything.
      const raw = await readJsonFile(file);
      const { result, listed } = await withRuntime(command, async (runtime) => {
        const result = await loadWorkflows({ directory: runtime.directory, audit: runtime.auditLog }, raw, options.by, now);
        return { result, listed: await listWorkflows(runtime.directory) };
      });
      const loaded = result.loaded.map((id) => listed.find((w) => w.id === id && !w.isDefault)!).filter(Boolean);
      if (options.json) {
        return outJson({ file, loadedAt: now.toISOString(), loadedBy: options.by, created: result.created, replaced: result.replaced, workflows: loaded.map((w) => workflowView(w, false)) });
      }
      out(
        `loaded ${loaded.length} workflow${loaded.length === 1 ? '' : 's'} from ${file} (by ${options.by} at ${showDate(now.toISOString())}): ` +
          `${result.created.length} new, ${result.replaced.length} replaced (running approvals keep the workflow they started with)`,
      );
      for (const w of loaded) out(`  ${w.id}  ${w.name}: ${describeSteps(w)}`);
    });

  workflow
    .command('list')
    .description('list the workflows: the built-in default and every loaded one')
    .option('--json', 'print as JSON')
    .action(async (options: { json?: boolean }, command: Command) => {
      const listed = await withRuntime(command, (runtime) => listWorkflows(runtime.directory));
      const view = listed.map((w) => workflowView(w, w.isDefault));
      if (options.json) return outJson(view);
      out(
        table(
          ['id', 'name', 'steps', 'loaded'],
          view.map((w) => [w.builtIn ? `${w.id} (built-in)` : w.id, w.name, describeSteps(w), w.builtIn ? 'built in' : `${showDate(w.loadedAt)} by ${w.loadedBy ?? '-'}`]),
        ),
      );
    });
}

export function workflowView(w: ApprovalWorkflow, builtIn: boolean) {
  return {
    id: w.id,
    name: w.name,
    description: w.description ?? null,
    builtIn,
    steps: w.steps,
    loadedAt: w.loadedAt ?? null,
    loadedBy: w.loadedBy ?? null,
  };
}

/** `1. Owners: PRIVILEGE_OWNER, 14 days, then ESCALATE (then REJECT) → 2. ...` */
export const describeSteps = (w: Pick<ApprovalWorkflow, 'steps'>): string => w.steps.map((step, i) => `${i + 1}. ${describeStep(step)}`).join(' → ');

function describeStep(step: WorkflowStep): string {
  const timeout = step.onTimeout === 'ESCALATE' ? `ESCALATE then ${step.afterEscalation ?? 'REJECT'}` : step.onTimeout;
  return `${step.name ? `${step.name}: ` : ''}${step.approvers.join(' or ')}, ${step.timeoutDays} day${step.timeoutDays === 1 ? '' : 's'}, then ${timeout}`;
}
