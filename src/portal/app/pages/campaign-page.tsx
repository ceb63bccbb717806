// One campaign's progress for its owner (GET /campaigns/{id}): entries by state, each approver's
// share, and every entry of the current run, overdue first; an entry the owner may reassign has a
// Reassign button (POST /entries/{id}/reassign), whose dialog shows each refusal next to its field.
import { useRef, useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import type { CampaignProgressView, OwnerEntryView, ReassignResult } from '../../../../lambdas/approver-api/api-types.js';
import type { ApiClient } from '../api-client.js';
import { formErrors, type ErrorMap } from '../api-errors.js';
import { Modal } from '../dialog.js';
import { entryStateWord, formatInstant } from '../format.js';
import { useFocusOnArrival, usePortal, useTitle } from '../shell.js';
import { FieldError } from './item-row.js';
import { DueDate, LoadFailure, OverdueCount, Placeholder, Progress, StateBadge, statesWithEntries, useApiView } from './campaign-parts.js';

export function CampaignPage({ api }: { api: ApiClient }) {
  const { params } = useRoute();
  const id = params.id ?? '';
  const { announce } = usePortal();
  const [view, reload] = useApiView<CampaignProgressView>(() => api.campaign(id), [api, id]);
  const [reassigning, setReassigning] = useState<OwnerEntryView | undefined>();
  const heading = useRef<HTMLHeadingElement>(null);
  useTitle(view.status === 'loaded' ? view.value.name : 'Campaign');
  useFocusOnArrival(heading, view.status !== 'loading');

  const reassigned = async (entry: OwnerEntryView, result: ReassignResult, extendDays: number | undefined) => {
    setReassigning(undefined);
    await reload();
    const to = result.approvers.map((p) => p.displayName).join(', ') || result.approverIds.join(', ');
    const moved = extendDays ? ` Now due ${formatInstant(result.dueDate)}.` : '';
    announce(`Reassigned ${entry.subjectName} to ${to}.${moved}`);
  };

  return (
    <div class="owner-page" aria-busy={view.status === 'loading' ? 'true' : 'false'}>
      {view.status === 'loaded' ? (
        <div class="owner-title">
          <h1 tabIndex={-1} ref={heading}>
            {view.value.name}
          </h1>
          <StateBadge state={view.value.state} />
        </div>
      ) : (
        <h1 tabIndex={-1} ref={heading}>
          Campaign
        </h1>
      )}
      {view.status === 'loading' ? <Placeholder lines={10} /> : null}
      {view.status === 'failed' ? <LoadFailure error={view.error} /> : null}
      {view.status === 'loaded' ? <Progression campaign={view.value} onReassign={setReassigning} /> : null}
      <Modal open={reassigning !== undefined} onClose={() => setReassigning(undefined)} titleId="reassign-title" className="reassign">
        {reassigning ? <ReassignForm api={api} entry={reassigning} onClose={() => setReassigning(undefined)} onDone={reassigned} /> : null}
      </Modal>
    </div>
  );
}

function Progression({ campaign, onReassign }: { campaign: CampaignProgressView; onReassign: (entry: OwnerEntryView) => void }) {
  const states = statesWithEntries(campaign);
  return (
    <>
      {campaign.description ? <p class="muted owner-description">{campaign.description}</p> : null}
      <dl class="facts owner-facts">
        <div>
          <dt>Due</dt>
          <dd>
            <DueDate iso={campaign.dueDate} />
          </dd>
        </div>
        <div>
          <dt>Reviewed by</dt>
          <dd>
            {campaign.kind === 'USER' ? 'Managers' : 'Privilege owners'}, run {campaign.run}
          </dd>
        </div>
        <div>
          <dt>Overdue</dt>
          <dd>
            <OverdueCount count={campaign.overdueEntries} />
          </dd>
        </div>
      </dl>
      <Progress campaign={campaign} id="campaign-progress" />

      <div class="owner-columns">
        <table class="owner-table">
          <caption>Entries by state</caption>
          <thead>
            <tr>
              <th scope="col">State</th>
              <th scope="col" class="owner-num">
                Entries
              </th>
            </tr>
          </thead>
          <tbody>
            {states.length === 0 ? (
              <tr>
                <td colSpan={2}>No entries</td>
              </tr>
            ) : (
              states.map((s) => (
                <tr key={s}>
                  <th scope="row">{entryStateWord(s)}</th>
                  <td class="owner-num">{campaign.entriesByState[s]}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
        <table class="owner-table">
          <caption>Approvers</caption>
          <thead>
            <tr>
              <th scope="col">Approver</th>
              <th scope="col" class="owner-num">
                Entries
              </th>
              <th scope="col" class="owner-num">
                Open
              </th>
              <th scope="col" class="owner-num">
                Overdue
              </th>
            </tr>
          </thead>
          <tbody>
            {campaign.approvers.length === 0 ? (
              <tr>
                <td colSpan={4}>No approver</td>
              </tr>
            ) : (
              campaign.approvers.map((a) => (
                <tr key={a.approver.id}>
                  <th scope="row">
                    {a.approver.displayName} <span class="owner-sub code">{a.approver.id}</span>
                  </th>
                  <td class="owner-num">{a.entries}</td>
                  <td class="owner-num">{a.open}</td>
                  <td class="owner-num">{a.overdue > 0 ? <span class="badge badge-overdue">{a.overdue} overdue</span> : 0}</td>
                </tr>
              ))
            )}
          </tbody>
        </table>
      </div>

      <table class="item-table owner-table owner-entries">
        <caption>Entries</caption>
        <thead>
          <tr>
            <th scope="col">Subject</th>
            <th scope="col">Stage</th>
            <th scope="col">State</th>
            <th scope="col">Approvers</th>
            <th scope="col">Due</th>
            <th scope="col">
              <span class="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {campaign.entryList.length === 0 ? (
            <tr>
              <td colSpan={6}>No entries</td>
            </tr>
          ) : (
            campaign.entryList.map((entry) => (
              <tr key={entry.id} class={entry.overdue ? 'owner-overdue' : undefined}>
                <th scope="row">
                  {entry.subjectName}
                  <span class="owner-sub">
                    {entry.subjectKind === 'USER' ? 'User' : 'Privilege'} <span class="code">{entry.subjectId}</span> · {entry.itemCount} {entry.itemCount === 1 ? 'item' : 'items'}
                  </span>
                </th>
                {/* data-label: the column's name, shown before each value where the table becomes one card per entry (phones). */}
                <td data-label="Stage">{entry.stage}</td>
                <td data-label="State">{entryStateWord(entry.state)}</td>
                <td data-label="Approvers">{entry.approvers.length === 0 ? <span class="muted">None</span> : entry.approvers.map((p) => p.displayName).join(', ')}</td>
                <td data-label="Due">
                  <DueDate iso={entry.dueDate} overdue={entry.overdue} />
                </td>
                <td class="owner-actions">
                  {entry.canReassign ? (
                    <button type="button" class="secondary" onClick={() => onReassign(entry)}>
                      Reassign<span class="sr-only"> {entry.subjectName}</span>
                    </button>
                  ) : null}
                </td>
              </tr>
            ))
          )}
        </tbody>
      </table>
    </>
  );
}

const FIELDS = ['to', 'justification', 'extendDays'] as const;
type Field = (typeof FIELDS)[number];
const FIELD_LABELS: Record<Field, string> = { to: 'New approver', justification: 'Justification', extendDays: 'Extend due date by days' };
const FIELD_IDS: Record<Field, string> = { to: 'owner-reassign-to', justification: 'owner-reassign-why', extendDays: 'owner-reassign-days' };

/** The owner's reassignment: the same fields and refusals as the entry page's, from the progress table. */
function ReassignForm({
  api,
  entry,
  onClose,
  onDone,
}: {
  api: ApiClient;
  entry: OwnerEntryView;
  onClose: () => void;
  onDone: (entry: OwnerEntryView, result: ReassignResult, extendDays: number | undefined) => Promise<void>;
}) {
  const { announce } = usePortal();
  const [to, setTo] = useState('');
  const [justification, setJustification] = useState('');
  const [days, setDays] = useState('');
  const [errors, setErrors] = useState<ErrorMap>({});
  const [busy, setBusy] = useState(false);

  // As the entry page's reassignment says it: the field's label, then the API's words.
  const fail = (map: ErrorMap) => {
    setErrors(map);
    const field = FIELDS.find((f) => map[f]);
    announce(`Not reassigned: ${field ? `${FIELD_LABELS[field]}: ${map[field]}` : (map.top ?? 'the server refused')}`);
    if (field) setTimeout(() => document.getElementById(FIELD_IDS[field])?.focus(), 0);
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    if (busy) return;
    const local: ErrorMap = {};
    if (!to.trim()) local.to = 'Name the new approver (their user id).';
    if (days.trim() && !/^\d+$/.test(days.trim())) local.extendDays = 'Give a whole number of days, or leave it empty.';
    if (Object.keys(local).length > 0) return fail(local);
    const extendDays = days.trim() ? Number(days.trim()) : undefined;
    setBusy(true);
    try {
      const result = await api.reassign(entry.id, { to: to.trim(), justification, ...(extendDays !== undefined ? { extendDays } : {}) });
      await onDone(entry, result, extendDays);
    } catch (error) {
      fail(formErrors(error, FIELDS));
    } finally {
      setBusy(false);
    }
  };

  const attrs = (field: Field) => ({
    id: FIELD_IDS[field],
    'aria-invalid': errors[field] ? ('true' as const) : undefined,
    'aria-describedby': [`${FIELD_IDS[field]}-hint`, errors[field] ? `${FIELD_IDS[field]}-error` : undefined].filter(Boolean).join(' '),
  });

  return (
    <form onSubmit={submit} noValidate>
      <h2 id="reassign-title">Reassign the review of {entry.subjectName}</h2>
      <p>
        The new approver decides its open items instead of {entry.approvers.map((p) => p.displayName).join(', ') || 'nobody'} and is told by mail. It is due{' '}
        <time dateTime={entry.dueDate}>{formatInstant(entry.dueDate)}</time>.
      </p>
      {errors.top ? (
        <p role="alert" class="error-box">
          {errors.top}
        </p>
      ) : null}
      <div class="field">
        <label for={FIELD_IDS.to}>New approver</label>
        <input type="text" autocomplete="off" spellcheck={false} value={to} onInput={(e) => setTo(e.currentTarget.value)} {...attrs('to')} />
        <p id={`${FIELD_IDS.to}-hint`} class="hint">
          Their directory user id, as the Approvers table shows it.
        </p>
        <FieldError id={`${FIELD_IDS.to}-error`} message={errors.to} />
      </div>
      <div class="field">
        <label for={FIELD_IDS.justification}>Justification</label>
        <textarea rows={3} maxLength={2000} value={justification} onInput={(e) => setJustification(e.currentTarget.value)} {...attrs('justification')} />
        <p id={`${FIELD_IDS.justification}-hint`} class="hint">
          Say why the review changes hands (at least 10 characters). It is recorded with the entry.
        </p>
        <FieldError id={`${FIELD_IDS.justification}-error`} message={errors.justification} />
      </div>
      <div class="field">
        <label for={FIELD_IDS.extendDays}>Extend due date by days</label>
        <input type="number" min={1} max={365} step={1} inputMode="numeric" value={days} onInput={(e) => setDays(e.currentTarget.value)} {...attrs('extendDays')} />
        <p id={`${FIELD_IDS.extendDays}-hint`} class="hint">
          Optional. Leave empty to keep the due date{entry.overdue ? ' (it has passed: an overdue entry needs more days)' : ''}.
        </p>
        <FieldError id={`${FIELD_IDS.extendDays}-error`} message={errors.extendDays} />
      </div>
      <div class="buttons">
        <button type="submit" class="primary" aria-disabled={busy ? 'true' : undefined}>
          Reassign entry
        </button>
        <button type="button" class="secondary" onClick={onClose}>
          Cancel
        </button>
      </div>
    </form>
  );
}
