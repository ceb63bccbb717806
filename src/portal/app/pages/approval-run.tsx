// An approval run (a re-approval, or a campaign item handed to its privilege's workflow): one
// assignment, approved or rejected by the current step's approvers, with a comment. A decision
// moves the run on at once; the next step's approvers (or the run's outcome) take it from there.
import { useState } from 'preact/hooks';
import type { ApprovalDetailView } from '../../../../lambdas/approver-api/api-types.js';
import { ApiError } from '../api-client.js';
import { decisionErrors, type ErrorMap } from '../api-errors.js';
import { formatDay, formatInstant, fromNow, riskWord } from '../format.js';
import { usePortal } from '../shell.js';
import { FieldError } from './item-row.js';

const PURPOSES: Record<string, string> = {
  REAPPROVAL: 'Re-approval: the assignment is due for renewal',
  CAMPAIGN: 'Hand-over from a campaign: its reviewer asked this workflow to decide',
};

export function ApprovalRun({ run, heading, onRun }: { run: ApprovalDetailView; heading: { current: HTMLHeadingElement | null }; onRun: (run: ApprovalDetailView) => void }) {
  const { api, me, announce } = usePortal();
  const [comment, setComment] = useState('');
  const [errors, setErrors] = useState<ErrorMap>({});
  const [busy, setBusy] = useState(false);
  const [movedOn, setMovedOn] = useState<string | undefined>();
  const item = run.items[0];
  const name = item ? (item.privilegeName ?? item.privilegeId) : 'the assignment';
  const subjectName = run.subjectName ?? run.subjectId;
  const canDecide = !movedOn && run.state === 'RUNNING' && !run.overdue && item !== undefined && run.openItemIds.includes(item.id);

  const decide = async (outcome: 'APPROVE' | 'REJECT') => {
    if (busy || !item) return;
    setBusy(true);
    const text = comment.trim();
    const verb = outcome === 'APPROVE' ? 'approved' : 'rejected';
    try {
      const result = await api.decide(run.entryId, { all: { outcome, ...(text ? { comment: text } : {}) } });
      setErrors({});
      setComment('');
      try {
        const fresh = await api.entry(run.entryId);
        if (fresh.kind === 'REAPPROVAL') onRun(fresh);
      } catch (error) {
        // The run moved on to a step this caller does not hold: nothing more to show or do here.
        if (!(error instanceof ApiError && error.status === 403)) throw error;
        setMovedOn('The run has moved on to its next step; it has left your tasks.');
      }
      announce(`Saved: ${verb} ${name} for ${subjectName}. ${result.finished ? 'The run has reached its outcome.' : 'Nothing is left for you to decide here.'}`);
    } catch (error) {
      const map = decisionErrors(error, [{ itemId: item.id }], false);
      setErrors(map);
      announce(`Not saved: ${Object.values(map)[0] ?? 'the server refused.'}`);
      if (map[`${item.id}:comment`]) setTimeout(() => document.getElementById('run-comment')?.focus(), 0);
    } finally {
      setBusy(false);
    }
  };

  const rowError = item ? (errors[`${item.id}:row`] ?? errors.top) : errors.top;
  const commentError = item ? errors[`${item.id}:comment`] : undefined;
  return (
    <>
      <p class="crumbs">
        <a href="/tasks">My tasks</a> <span aria-hidden="true">›</span> {run.workflowName}
      </p>
      <h1 tabIndex={-1} ref={heading}>
        {subjectName}
      </h1>
      <p class="entry-meta">
        <span>{PURPOSES[run.purpose] ?? run.purpose}</span>
        <span>
          Step {run.step} of {run.steps}
          {run.stepName ? `: ${run.stepName}` : ''}
        </span>
        <span>
          Due <time dateTime={run.dueDate}>{formatInstant(run.dueDate)}</time>
          {run.state === 'RUNNING' && me?.asOf && ` (${fromNow(run.dueDate, me.asOf)})`}
          {run.overdue && <span class="badge badge-overdue">Overdue</span>}
        </span>
        {run.escalated && <span class="badge">Escalated</span>}
      </p>
      {!canDecide && <p class="notice">{movedOn ?? (run.state === 'RUNNING' ? 'You may read this approval but not decide it now.' : `This approval is closed (${run.state.toLowerCase()}): it is shown read-only.`)}</p>}
      {rowError && (
        <p role="alert" class="error-box" id="run-error">
          {rowError}
        </p>
      )}
      {item && (
        <section aria-labelledby="run-item-heading" class="items">
          <h2 id="run-item-heading">Assignment</h2>
          <dl class="facts">
            <div>
              <dt>Privilege</dt>
              <dd>
                {name} <span class="muted code">{item.privilegeId}</span>
              </dd>
            </div>
            <div>
              <dt>Risk</dt>
              <dd>
                <span class={`badge risk-${(item.privilegeRisk ?? 'none').toLowerCase()}`}>{riskWord(item.privilegeRisk)}</span>
              </dd>
            </div>
            <div>
              <dt>Granted</dt>
              <dd>{formatDay(item.grantedAt)}</dd>
            </div>
            <div>
              <dt>Last approved</dt>
              <dd>{item.approvedAt ? `${formatDay(item.approvedAt)}${item.approvedBy ? ` by ${item.approvedBy}` : ''}` : 'Never'}</dd>
            </div>
            <div>
              <dt>End date</dt>
              <dd>{formatDay(item.endDate)}</dd>
            </div>
            <div>
              <dt>Parameters</dt>
              <dd>
                {Object.entries(item.parameters)
                  .map(([k, v]) => `${k}: ${v}`)
                  .join(', ') || 'None'}
              </dd>
            </div>
          </dl>
          {canDecide && (
            <div class="run-decision">
              <div class="field grow">
                <label for="run-comment">
                  Comment<span class="sr-only"> on {name}</span>
                </label>
                <input
                  id="run-comment"
                  type="text"
                  maxLength={2000}
                  value={comment}
                  onInput={(e) => setComment(e.currentTarget.value)}
                  aria-invalid={commentError ? 'true' : undefined}
                  aria-describedby={commentError ? 'run-comment-error' : undefined}
                />
                <FieldError id="run-comment-error" message={commentError} />
              </div>
              <div class="buttons">
                <button type="button" class="approve" onClick={() => decide('APPROVE')}>
                  Approve<span class="sr-only"> {name}</span>
                </button>
                <button type="button" class="reject" onClick={() => decide('REJECT')}>
                  Reject<span class="sr-only"> {name}</span>
                </button>
              </div>
            </div>
          )}
        </section>
      )}
    </>
  );
}
