// /entries/:id, where the mails land: a campaign entry (its subject and items) or an approval run
// (id beginning `a-`: one assignment to approve or reject). Until the entry arrives the page keeps
// the heading's and the subject panel's places, so nothing moves when it does. A refusal (403) shows
// the API's words and nothing of the entry.
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ApprovalDetailView, EntryView, SubjectView } from '../../../../lambdas/approver-api/api-types.js';
import { ApiError } from '../api-client.js';
import { entryStateWord, formatInstant, fromNow, riskWord } from '../format.js';
import { useFocusOnArrival, usePortal, useTitle } from '../shell.js';
import { ApprovalRun } from './approval-run.js';
import { CampaignEntry } from './campaign-entry.js';

/** What GET /entries/{id} answered, for which id (so that a new id never shows the previous entry). */
type Loaded = { id?: string } & ({ view: EntryView | ApprovalDetailView; error?: undefined } | { view?: undefined; error: unknown } | { view?: undefined; error?: undefined });

export function EntryPage({ id }: { id: string }) {
  const { api } = usePortal();
  const [state, setState] = useState<Loaded>({});
  const heading = useRef<HTMLHeadingElement>(null);

  useEffect(() => {
    let current = true;
    setState({});
    api.entry(id).then(
      (view) => current && setState({ id, view }),
      (error: unknown) => current && setState({ id, error }),
    );
    return () => {
      current = false;
    };
  }, [api, id]);

  const { view, error } = state.id === id ? state : {};
  const subjectName = view ? (view.kind === 'CAMPAIGN' ? (view.subject?.name ?? view.subjectName) : (view.subjectName ?? view.subjectId)) : undefined;
  useTitle(subjectName ? `Review of ${subjectName}` : error ? 'Review not available' : 'Loading review');
  useFocusOnArrival(heading, view !== undefined || error !== undefined, id);

  if (error !== undefined) return <Refusal error={error} heading={heading} />;
  if (!view) return <EntrySkeleton />;
  if (view.kind === 'REAPPROVAL') return <ApprovalRun key={view.entryId} run={view} heading={heading} onRun={(run) => setState({ id, view: run })} />;
  return (
    <>
      <EntryHeader entry={view} heading={heading} />
      <CampaignEntry key={view.id} entry={view} onEntry={(entry) => setState({ id, view: entry })} />
    </>
  );
}

function Refusal({ error, heading }: { error: unknown; heading: { current: HTMLHeadingElement | null } }) {
  const status = error instanceof ApiError ? error.status : 0;
  const title = status === 403 ? 'You cannot open this review' : status === 404 ? 'No such review' : 'The review could not be loaded';
  const explain =
    status === 403
      ? 'Only the review’s current approvers and its campaign’s owner may see it. If it was reassigned, it has left your tasks.'
      : status === 404
        ? 'The link may be old: the campaign may have been deleted.'
        : 'Try again in a moment.';
  return (
    <>
      <p class="crumbs">
        <a href="/tasks">My tasks</a>
      </p>
      <h1 tabIndex={-1} ref={heading}>
        {title}
      </h1>
      <div role="alert" class="error-box">
        <p>{error instanceof Error ? error.message : String(error)}</p>
      </div>
      <p>{explain}</p>
    </>
  );
}

function EntryHeader({ entry, heading }: { entry: EntryView; heading: { current: HTMLHeadingElement | null } }) {
  const subject = entry.subject;
  return (
    <>
      <p class="crumbs">
        <a href="/tasks">My tasks</a> <span aria-hidden="true">›</span> {entry.campaignName}
      </p>
      <h1 tabIndex={-1} ref={heading}>
        {subject?.name ?? entry.subjectName}
      </h1>
      <p class="entry-meta">
        <span>
          Stage {entry.stage}
          {entry.stageName ? `: ${entry.stageName}` : ''}
        </span>
        <span>
          Due <time dateTime={entry.dueDate}>{formatInstant(entry.dueDate)}</time>
          {entry.asOf && entry.state === 'RUNNING' ? ` (${fromNow(entry.dueDate, entry.asOf)})` : ''}
        </span>
        {entry.overdue && <span class="badge badge-overdue">Overdue</span>}
        <span>State: {entryStateWord(entry.state)}</span>
        <span>Approvers: {entry.approvers?.map((p) => p.displayName).join(', ') || entry.approverIds.join(', ') || 'none'}</span>
      </p>
      <SubjectPanel subject={subject} kind={entry.subjectKind} />
    </>
  );
}

function SubjectPanel({ subject, kind }: { subject: SubjectView | undefined; kind: string }) {
  const unknown = <span class="muted">Not known</span>;
  const title = kind === 'USER' ? 'Person under review' : kind === 'GROUP' ? 'Group under review' : 'Privilege under review';
  return (
    <section class="subject" aria-labelledby="subject-heading">
      <h2 id="subject-heading">{title}</h2>
      <dl>
        <div>
          <dt>Department</dt>
          <dd>{subject?.department ?? unknown}</dd>
        </div>
        <div>
          <dt>Manager</dt>
          <dd>{subject?.manager?.displayName ?? unknown}</dd>
        </div>
        <div>
          <dt>Risk level</dt>
          <dd>{subject?.riskLevel ? <span class={`badge risk-${subject.riskLevel.toLowerCase()}`}>{riskWord(subject.riskLevel)}</span> : unknown}</dd>
        </div>
        <div>
          <dt>Email</dt>
          <dd>{subject?.email ? <a href={`mailto:${subject.email}`}>{subject.email}</a> : unknown}</dd>
        </div>
        <div>
          <dt>Status</dt>
          <dd>{subject?.status ? (subject.status === 'ACTIVE' ? 'Active' : 'Disabled') : unknown}</dd>
        </div>
      </dl>
    </section>
  );
}

/** The page's frame while the entry loads: the same boxes, empty, so that nothing moves when it arrives. */
function EntrySkeleton() {
  return (
    <div aria-busy="true">
      <p class="crumbs">
        <a href="/tasks">My tasks</a>
      </p>
      <h1>
        <span class="bone-inline">Loading review…</span>
      </h1>
      <p class="entry-meta" aria-hidden="true">
        {['bone-stage', 'bone-due', 'bone-state', 'bone-approvers'].map((size) => (
          <span key={size}>
            <span class={`bone ${size}`} />
          </span>
        ))}
      </p>
      <section class="subject" aria-hidden="true">
        <h2>
          <span class="bone-inline">Person under review</span>
        </h2>
        <dl>
          {['Department', 'Manager', 'Risk level', 'Email', 'Status'].map((label) => (
            <div key={label}>
              <dt>{label}</dt>
              <dd>
                <span class="bone bone-short" />
              </dd>
            </div>
          ))}
        </dl>
      </section>
      <div class="skeleton-block" aria-hidden="true" />
    </div>
  );
}
