// Hands an entry to another approver, with a justification and an optional later due date: from
// the entry page (its approver or the campaign owner) and from the owner's progress table. The API
// checks everything (who may, who may take it, how long a justification, how many days) and its
// refusals show next to the field they name.
import { useState } from 'preact/hooks';
import type { EntryView, PersonView, ReassignResult } from '../../../../lambdas/approver-api/api-types.js';
import { formErrors, type ErrorMap } from '../api-errors.js';
import { FormButtons, Modal } from '../dialog.js';
import { formatInstant } from '../format.js';
import { usePortal } from '../shell.js';
import { FieldError } from './item-row.js';

const FIELDS = ['to', 'justification', 'extendDays'] as const;
const FIELD_LABELS: Record<(typeof FIELDS)[number], string> = { to: 'New approver', justification: 'Justification', extendDays: 'Extend due date by days' };
const FIELD_IDS: Record<(typeof FIELDS)[number], string> = { to: 'reassign-to', justification: 'reassign-why', extendDays: 'reassign-days' };

/** What the form says about the entry it hands over (an EntryView and an owner's OwnerEntryView both are one). */
export type ReassignTarget = Pick<EntryView, 'id' | 'subjectName' | 'dueDate' | 'overdue'> & { approvers: PersonView[] };

export function ReassignDialog({ entry, open, onClose, onDone }: { entry: EntryView; open: boolean; onClose: () => void; onDone: (result: ReassignResult) => void }) {
  return (
    <Modal open={open} onClose={onClose} titleId="reassign-title" className="reassign">
      <ReassignForm target={{ ...entry, subjectName: entry.subject?.name ?? entry.subjectName }} onClose={onClose} onDone={onDone} />
    </Modal>
  );
}

export function ReassignForm({
  target,
  onClose,
  onDone,
}: {
  target: ReassignTarget;
  onClose: () => void;
  onDone: (result: ReassignResult, extendDays: number | undefined) => void | Promise<void>;
}) {
  const { api, announce } = usePortal();
  const [to, setTo] = useState('');
  const [justification, setJustification] = useState('');
  const [days, setDays] = useState('');
  const [errors, setErrors] = useState<ErrorMap>({});
  const [busy, setBusy] = useState(false);

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    const local: ErrorMap = {};
    if (!to.trim()) local.to = 'Name the new approver (their user id).';
    if (days.trim() && !/^\d+$/.test(days.trim())) local.extendDays = 'Give a whole number of days, or leave it empty.';
    if (Object.keys(local).length > 0) return fail(local);
    const extendDays = days.trim() ? Number(days.trim()) : undefined;
    setBusy(true);
    try {
      const result = await api.reassign(target.id, { to: to.trim(), justification, ...(extendDays !== undefined ? { extendDays } : {}) });
      await onDone(result, extendDays);
    } catch (error) {
      fail(formErrors(error, FIELDS));
    } finally {
      setBusy(false);
    }
  };

  const fail = (map: ErrorMap) => {
    setErrors(map);
    const field = FIELDS.find((f) => map[f]);
    announce(`Not reassigned: ${field ? `${FIELD_LABELS[field]}: ${map[field]}` : (map.top ?? 'the server refused')}`);
    if (field) setTimeout(() => document.getElementById(FIELD_IDS[field])?.focus(), 0);
  };

  const attrs = (field: (typeof FIELDS)[number], hint?: string) => ({
    id: FIELD_IDS[field],
    'aria-invalid': errors[field] ? ('true' as const) : undefined,
    'aria-describedby': [hint, errors[field] ? `${FIELD_IDS[field]}-error` : undefined].filter(Boolean).join(' ') || undefined,
  });

  return (
    <form onSubmit={submit} noValidate>
      <h2 id="reassign-title">Reassign the review of {target.subjectName}</h2>
      <p>
        The new approver decides the open items instead of {target.approvers.map((p) => p.displayName).join(', ') || 'nobody'} and is told by mail. It is due{' '}
        <time dateTime={target.dueDate}>{formatInstant(target.dueDate)}</time>.
      </p>
      {errors.top && (
        <p role="alert" class="error-box">
          {errors.top}
        </p>
      )}
      <div class="field">
        <label for={FIELD_IDS.to}>New approver</label>
        <input type="text" autocomplete="off" spellcheck={false} value={to} onInput={(e) => setTo(e.currentTarget.value)} {...attrs('to', 'reassign-to-hint')} />
        <p id="reassign-to-hint" class="hint">
          Their directory user id, for example mgr-ops.
        </p>
        <FieldError id={`${FIELD_IDS.to}-error`} message={errors.to} />
      </div>
      <div class="field">
        <label for={FIELD_IDS.justification}>Justification</label>
        <textarea rows={3} maxLength={2000} value={justification} onInput={(e) => setJustification(e.currentTarget.value)} {...attrs('justification', 'reassign-why-hint')} />
        <p id="reassign-why-hint" class="hint">
          Say why the review changes hands (at least 10 characters). It is recorded and shown to the new approver.
        </p>
        <FieldError id={`${FIELD_IDS.justification}-error`} message={errors.justification} />
      </div>
      <div class="field">
        <label for={FIELD_IDS.extendDays}>Extend due date by days</label>
        <input type="number" min={1} max={365} step={1} inputMode="numeric" value={days} onInput={(e) => setDays(e.currentTarget.value)} {...attrs('extendDays', 'reassign-days-hint')} />
        <p id="reassign-days-hint" class="hint">
          Optional. Leave empty to keep the due date{target.overdue ? ' (it has passed: an overdue entry needs more days)' : ''}.
        </p>
        <FieldError id={`${FIELD_IDS.extendDays}-error`} message={errors.extendDays} />
      </div>
      <FormButtons action="Reassign entry" busy={busy} onCancel={onClose} />
    </form>
  );
}
