// One campaign's progress for its owner (GET /campaigns/{id}): entries by state, each approver's
// share, and every entry of the current run, overdue first; an entry the owner may reassign has a
// Reassign button (POST /entries/{id}/reassign), whose dialog shows each refusal next to its field.
import { useEffect, useRef, useState } from 'preact/hooks';
import { useRoute } from 'preact-iso';
import type { CampaignProgressView, OwnerEntryView, PersonView, ReassignRequest } from '../../../../lambdas/approver-api/api-types.js';
import { ApiError, type ApiClient } from '../api-client.js';
import { DueDate, entryStateLabel, ENTRY_STATE_LABELS, LoadFailure, Placeholder, Progress, StateBadge, useApiView } from './campaign-parts.js';

export function CampaignPage({ api }: { api: ApiClient }) {
  const { params } = useRoute();
  const id = params.id ?? '';
  const [view, reload] = useApiView<CampaignProgressView>(() => api.campaign(id), [api, id]);
  const [reassigning, setReassigning] = useState<OwnerEntryView | undefined>();
  const [message, setMessage] = useState('');

  useEffect(() => {
    if (view.status === 'loaded') document.title = `${view.value.name} · Access reviews`;
  }, [view]);

  const done = async (text: string) => {
    setReassigning(undefined);
    await reload();
    setMessage(text);
  };

  return (
    <main class="owner-page" aria-busy={view.status === 'loading'}>
      {view.status === 'loading' ? (
        <>
          <h1>Campaign</h1>
          <Placeholder lines={10} />
        </>
      ) : null}
      {view.status === 'failed' ? (
        <>
          <h1>Campaign</h1>
          <LoadFailure error={view.error} />
        </>
      ) : null}
      {view.status === 'loaded' ? <Progression campaign={view.value} onReassign={setReassigning} /> : null}
      <p role="status" aria-live="polite" class="owner-status">
        {message}
      </p>
      {reassigning && view.status === 'loaded' ? (
        <ReassignDialog api={api} entry={reassigning} onClose={() => setReassigning(undefined)} onDone={done} />
      ) : null}
    </main>
  );
}

function Progression({ campaign, onReassign }: { campaign: CampaignProgressView; onReassign: (entry: OwnerEntryView) => void }) {
  const states = (Object.keys(ENTRY_STATE_LABELS) as (keyof typeof ENTRY_STATE_LABELS)[]).filter((s) => (campaign.entriesByState[s] ?? 0) > 0);
  return (
    <>
      <div class="owner-title">
        <h1>{campaign.name}</h1>
        <StateBadge state={campaign.state} />
      </div>
      {campaign.description ? <p class="owner-description">{campaign.description}</p> : null}
      <dl class="owner-facts">
        <div>
          <dt>Due</dt>
          <dd>
            <DueDate iso={campaign.dueDate} />
          </dd>
        </div>
        <div>
          <dt>Run</dt>
          <dd>
            {campaign.run} ({campaign.kind === 'USER' ? 'managers review their reports' : 'owners review their privileges'})
          </dd>
        </div>
        <div>
          <dt>Overdue</dt>
          <dd>
            {campaign.overdueEntries > 0 ? (
              <span class="owner-badge owner-badge--overdue">
                {campaign.overdueEntries} overdue {campaign.overdueEntries === 1 ? 'entry' : 'entries'}
              </span>
            ) : (
              'None'
            )}
          </dd>
        </div>
      </dl>
      <Progress campaign={campaign} id="campaign-progress" />

      <div class="owner-columns">
        <section aria-labelledby="by-state-caption">
          <table class="owner-table">
            <caption id="by-state-caption">Entries by state</caption>
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
                    <th scope="row">
                      {entryStateLabel(s)} <span class="owner-code">{s}</span>
                    </th>
                    <td class="owner-num">{campaign.entriesByState[s]}</td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </section>
        <section aria-labelledby="approvers-caption">
          <div class="owner-scroll" role="region" aria-labelledby="approvers-caption" tabIndex={0}>
            <table class="owner-table">
              <caption id="approvers-caption">Approvers</caption>
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
                        <Person person={a.approver} />
                      </th>
                      <td class="owner-num">{a.entries}</td>
                      <td class="owner-num">{a.open}</td>
                      <td class="owner-num">{a.overdue > 0 ? <span class="owner-badge owner-badge--overdue">{a.overdue}</span> : 0}</td>
                    </tr>
                  ))
                )}
              </tbody>
            </table>
          </div>
        </section>
      </div>

      <section aria-labelledby="entries-caption">
        <div class="owner-scroll" role="region" aria-labelledby="entries-caption" tabIndex={0}>
          <table class="owner-table owner-entries">
            <caption id="entries-caption">Entries</caption>
            <thead>
              <tr>
                <th scope="col">Subject</th>
                <th scope="col">Stage</th>
                <th scope="col">State</th>
                <th scope="col">Approvers</th>
                <th scope="col">Due</th>
                <th scope="col">
                  <span class="owner-visually-hidden">Actions</span>
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
                  <tr key={entry.id} class={entry.overdue ? 'owner-row--overdue' : undefined}>
                    <th scope="row">
                      {entry.subjectName}
                      <span class="owner-sub">
                        {entry.subjectKind === 'USER' ? 'User' : 'Privilege'} {entry.subjectId} · {entry.itemCount} {entry.itemCount === 1 ? 'item' : 'items'}
                      </span>
                    </th>
                    <td>{entry.stage}</td>
                    <td>{entryStateLabel(entry.state)}</td>
                    <td>{entry.approvers.length === 0 ? <span class="owner-muted">None</span> : entry.approvers.map((p) => p.displayName).join(', ')}</td>
                    <td>
                      <DueDate iso={entry.dueDate} overdue={entry.overdue} />
                    </td>
                    <td>
                      {entry.canReassign ? (
                        <button type="button" class="owner-button" onClick={() => onReassign(entry)}>
                          Reassign<span class="owner-visually-hidden"> {entry.subjectName}</span>
                        </button>
                      ) : null}
                    </td>
                  </tr>
                ))
              )}
            </tbody>
          </table>
        </div>
      </section>
    </>
  );
}

function Person({ person }: { person: PersonView }) {
  return (
    <>
      {person.displayName} <span class="owner-sub">{person.id}</span>
    </>
  );
}

type Field = 'to' | 'justification' | 'extendDays';
const FIELDS: Field[] = ['to', 'justification', 'extendDays'];

function ReassignDialog({
  api,
  entry,
  onClose,
  onDone,
}: {
  api: ApiClient;
  entry: OwnerEntryView;
  onClose: () => void;
  onDone: (message: string) => Promise<void>;
}) {
  const dialog = useRef<HTMLDialogElement>(null);
  const inputs = { to: useRef<HTMLInputElement>(null), justification: useRef<HTMLTextAreaElement>(null), extendDays: useRef<HTMLInputElement>(null) };
  const [to, setTo] = useState('');
  const [justification, setJustification] = useState('');
  const [extendDays, setExtendDays] = useState('');
  const [errors, setErrors] = useState<Partial<Record<Field, string>>>({});
  const [formError, setFormError] = useState<string | undefined>();
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const element = dialog.current;
    if (element && !element.open) element.showModal();
    return () => element?.close();
  }, []);

  const showErrors = (found: Partial<Record<Field, string>>, general?: string) => {
    setErrors(found);
    setFormError(general);
    const first = FIELDS.find((f) => found[f]);
    if (first) inputs[first].current?.focus();
  };

  const submit = async (event: Event) => {
    event.preventDefault();
    const missing: Partial<Record<Field, string>> = {};
    if (!to.trim()) missing.to = 'Name the new approver (a directory user id).';
    if (!justification.trim()) missing.justification = 'Say why the entry changes hands.';
    if (extendDays.trim() && !/^\d+$/.test(extendDays.trim())) missing.extendDays = 'A whole number of days, or leave it empty.';
    if (Object.keys(missing).length > 0) return showErrors(missing);

    const body: ReassignRequest = { to: to.trim(), justification: justification.trim(), ...(extendDays.trim() ? { extendDays: Number(extendDays) } : {}) };
    setBusy(true);
    try {
      const result = await api.reassign(entry.id, body);
      const newApprover = result.approvers.map((p) => p.displayName).join(', ') || body.to;
      const moved = body.extendDays ? ` Due date moved to ${new Intl.DateTimeFormat(undefined, { dateStyle: 'medium' }).format(new Date(result.dueDate))}.` : '';
      await onDone(`Reassigned ${entry.subjectName} to ${newApprover}.${moved}`);
    } catch (error) {
      setBusy(false);
      if (!(error instanceof ApiError)) return showErrors({}, (error as Error).message);
      const found: Partial<Record<Field, string>> = {};
      const issues = error.issues.length > 0 ? error.issues : error.field ? [{ field: error.field, message: error.message }] : [];
      for (const issue of issues) {
        if ((FIELDS as string[]).includes(issue.field)) found[issue.field as Field] = withoutFieldPrefix(issue.message, issue.field);
      }
      showErrors(found, Object.keys(found).length === 0 ? error.message : undefined);
    }
  };

  const describedBy = (field: Field, hint?: string) => [hint, errors[field] ? `reassign-${field}-error` : undefined].filter(Boolean).join(' ') || undefined;
  const fieldError = (field: Field) =>
    errors[field] ? (
      <p id={`reassign-${field}-error`} class="owner-field-error">
        {errors[field]}
      </p>
    ) : null;

  return (
    // The native modal dialog keeps focus inside, closes on Escape and returns focus to the button that opened it.
    <dialog ref={dialog} class="owner-dialog" aria-labelledby="reassign-title" onCancel={onClose} onClose={onClose}>
      <form onSubmit={submit} noValidate>
        <h2 id="reassign-title">Reassign {entry.subjectName}</h2>
        <p class="owner-muted">
          Now with {entry.approvers.map((p) => p.displayName).join(', ') || 'nobody'}; the new approver gets the entry alone and is notified.
        </p>
        {formError ? (
          <p role="alert" class="owner-field-error">
            {formError}
          </p>
        ) : null}
        <div class="owner-field">
          <label for="reassign-to">New approver</label>
          <input
            id="reassign-to"
            ref={inputs.to}
            type="text"
            autocomplete="off"
            spellcheck={false}
            value={to}
            onInput={(e) => setTo(e.currentTarget.value)}
            aria-invalid={errors.to ? true : undefined}
            aria-describedby={describedBy('to', 'reassign-to-hint')}
          />
          <p id="reassign-to-hint" class="owner-hint">
            A directory user id, such as an approver's id in the Approvers table.
          </p>
          {fieldError('to')}
        </div>
        <div class="owner-field">
          <label for="reassign-justification">Justification</label>
          <textarea
            id="reassign-justification"
            ref={inputs.justification}
            rows={3}
            value={justification}
            onInput={(e) => setJustification(e.currentTarget.value)}
            aria-invalid={errors.justification ? true : undefined}
            aria-describedby={describedBy('justification', 'reassign-justification-hint')}
          />
          <p id="reassign-justification-hint" class="owner-hint">
            At least 10 characters; recorded with the entry.
          </p>
          {fieldError('justification')}
        </div>
        <div class="owner-field">
          <label for="reassign-extend">Extend due date by days</label>
          <input
            id="reassign-extend"
            ref={inputs.extendDays}
            type="number"
            inputMode="numeric"
            min={1}
            max={365}
            step={1}
            value={extendDays}
            onInput={(e) => setExtendDays(e.currentTarget.value)}
            aria-invalid={errors.extendDays ? true : undefined}
            aria-describedby={describedBy('extendDays', 'reassign-extend-hint')}
          />
          <p id="reassign-extend-hint" class="owner-hint">
            Optional. Now due <DueDate iso={entry.dueDate} />.
          </p>
          {fieldError('extendDays')}
        </div>
        <div class="owner-actions">
          <button type="submit" class="owner-button owner-button--primary" disabled={busy}>
            Reassign entry
          </button>
          <button type="button" class="owner-button" onClick={onClose} disabled={busy}>
            Cancel
          </button>
        </div>
      </form>
    </dialog>
  );
}

/** The API says `justification: must be …`; next to the field, its name is already there. */
function withoutFieldPrefix(message: string, field: string): string {
  const text = message.startsWith(`${field}: `) ? message.slice(field.length + 2) : message;
  return text.charAt(0).toUpperCase() + text.slice(1);
}
