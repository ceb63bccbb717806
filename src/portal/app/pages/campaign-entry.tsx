// The review of one campaign entry: the items with filters, per-item and bulk decisions (each saved
// at once, so partial work is kept), keyboard shortcuts, and reassignment. After every action the
// entry is read again from the API and the live region says what was saved and what is left.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { useLocation } from 'preact-iso';
import type { DecisionInput, EntryView, ItemView, ReassignResult, RiskLevel } from '../../../../lambdas/approver-api/api-types.js';
import { decisionErrors, type ErrorMap } from '../api-errors.js';
import { Modal } from '../dialog.js';
import { describeChange, formatInstant, plural } from '../format.js';
import { usePortal } from '../shell.js';
import { FieldError, ItemRow, type Change } from './item-row.js';
import { ReassignDialog } from './reassign-dialog.js';

const RISKS: RiskLevel[] = ['CRITICAL', 'HIGH', 'MEDIUM', 'LOW'];

/** Keys an approver may press outside a text field; the help dialog lists the same. */
export const SHORTCUTS: [keys: string[], what: string][] = [
  [['j', '↓'], 'Next item'],
  [['k', '↑'], 'Previous item'],
  [['x'], 'Select or unselect the item'],
  [['a'], 'Approve the item (with its comment)'],
  [['r'], 'Reject the item (with its comment)'],
  [['m'], 'Modify the item: change its end date or parameters'],
  [['c'], 'Write a comment on the item'],
  [['A'], 'Approve the selected items'],
  [['R'], 'Reject the selected items'],
  [['/'], 'Filter the items'],
  [['?'], 'Show these shortcuts'],
  [['Esc'], 'Close a dialog or the change form'],
];

function isTypingTarget(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  if (target.isContentEditable || target instanceof HTMLTextAreaElement || target instanceof HTMLSelectElement) return true;
  return target instanceof HTMLInputElement && !['checkbox', 'radio', 'button', 'submit', 'reset'].includes(target.type);
}

const itemName = (item: ItemView) => item.privilegeName ?? item.privilegeId;

function haystack(item: ItemView): string {
  return [item.privilegeName, item.privilegeId, item.userName, item.userId, item.origin, ...Object.entries(item.parameters).flat()].join(' ').toLowerCase();
}

interface PendingFocus {
  from: string;
  /** The visible ids, in order, when the action started. */
  order: string[];
  /** Go on to the next open item (a keyboard shortcut), rather than only repair a focus the update lost. */
  advance: boolean;
}

export function CampaignEntry({ entry, onEntry }: { entry: EntryView; onEntry: (entry: EntryView) => void }) {
  const { api, me, announce } = usePortal();
  const { route } = useLocation();
  const [text, setText] = useState('');
  const [risk, setRisk] = useState<RiskLevel | ''>('');
  const [openOnly, setOpenOnly] = useState(false);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());
  const [comments, setComments] = useState<Record<string, string>>({});
  const [bulkComment, setBulkComment] = useState('');
  const [modifying, setModifying] = useState<string | undefined>();
  const [errors, setErrors] = useState<ErrorMap>({});
  const [busy, setBusy] = useState(false);
  const [active, setActive] = useState<string | undefined>();
  const [helpOpen, setHelpOpen] = useState(false);
  const [reassignOpen, setReassignOpen] = useState(false);
  const saving = useRef(false);
  const focusTargets = useRef(new Map<string, HTMLElement>());
  const pendingFocus = useRef<PendingFocus | undefined>();
  const filterField = useRef<HTMLInputElement>(null);
  const selectAll = useRef<HTMLInputElement>(null);
  const table = useRef<HTMLTableElement>(null);

  const permissions = entry.permissions ?? { canDecide: false, canReassign: false, isCampaignOwner: false };
  const canDecide = permissions.canDecide && entry.state === 'RUNNING' && !entry.overdue;
  const subjectName = entry.subject?.name ?? entry.subjectName;
  const domIds = useMemo(() => new Map(entry.items.map((item, i) => [item.id, `item-${i}`])), [entry.items]);

  const visible = useMemo(() => {
    const needle = text.trim().toLowerCase();
    return entry.items.filter((i) => (!openOnly || i.open) && (!risk || i.privilegeRisk === risk) && (!needle || haystack(i).includes(needle)));
  }, [entry.items, text, risk, openOnly]);
  const visibleKey = visible.map((i) => i.id).join('\n');
  const openVisible = visible.filter((i) => i.open);
  const chosen = visible.filter((i) => selected.has(i.id));
  const allSelected = openVisible.length > 0 && openVisible.every((i) => selected.has(i.id));
  const someSelected = openVisible.some((i) => selected.has(i.id));

  // What a filter hides is no longer selected: a bulk decision acts only on what the approver sees.
  useEffect(() => {
    const shown = new Set(visible.map((i) => i.id));
    if ([...selected].some((id) => !shown.has(id))) setSelected(new Set([...selected].filter((id) => shown.has(id))));
  }, [visibleKey]);

  useEffect(() => {
    if (selectAll.current) selectAll.current.indeterminate = someSelected && !allSelected;
  }, [someSelected, allSelected]);

  const nameOf = (userId: string): string => {
    if (userId === me?.id) return 'you';
    return entry.approvers?.find((p) => p.id === userId)?.displayName ?? (entry.campaignOwner?.id === userId ? entry.campaignOwner.displayName : userId);
  };
  const labelOf = (item: ItemView) => (entry.subjectKind === 'USER' ? itemName(item) : `${itemName(item)} for ${item.userName ?? item.userId}`);

  const focusItem = (id: string | undefined) => {
    if (!id) return;
    setActive(id);
    focusTargets.current.get(id)?.focus();
  };

  // After an update, put focus where the keyboard user expects it (see PendingFocus).
  useEffect(() => {
    const pending = pendingFocus.current;
    if (!pending) return;
    pendingFocus.current = undefined;
    const shown = new Map(visible.map((i) => [i.id, i]));
    const start = pending.order.indexOf(pending.from);
    const after = [...pending.order.slice(start + 1), ...pending.order.slice(0, start + 1)];
    if (pending.advance) {
      focusItem(after.find((id) => shown.get(id)?.open) ?? (shown.has(pending.from) ? pending.from : visible[0]?.id));
      return;
    }
    const focused = document.activeElement;
    if (!focused || focused === document.body || !focused.isConnected) focusItem(shown.has(pending.from) ? pending.from : after.find((id) => shown.has(id)));
  }, [entry]);

  const leftText = (fresh: EntryView) =>
    fresh.openItemCount === 0 ? `No items left: the review of ${subjectName} is complete.` : `${fresh.openItemCount} of ${plural(fresh.itemCount, 'item')} left.`;

  async function save(decisions: DecisionInput[], what: string, options: { bulk: boolean; from?: string; advance?: boolean }): Promise<void> {
    if (saving.current) return;
    saving.current = true;
    setBusy(true);
    try {
      const result = await api.decide(entry.id, { decisions });
      const done = new Set(result.decided);
      setComments((c) => Object.fromEntries(Object.entries(c).filter(([id]) => !done.has(id))));
      if (options.bulk) setBulkComment('');
      setSelected((s) => new Set([...s].filter((id) => !done.has(id))));
      setModifying((m) => (m && done.has(m) ? undefined : m));
      setErrors({});
      let fresh: EntryView | undefined;
      try {
        const view = await api.entry(entry.id);
        if (view.kind === 'CAMPAIGN') fresh = view;
      } catch {
        // Saved all the same; the next action or a reload shows the entry.
      }
      if (options.from) pendingFocus.current = { from: options.from, order: visible.map((i) => i.id), advance: options.advance ?? false };
      if (fresh) onEntry(fresh);
      announce(`Saved: ${what}. ${fresh ? leftText(fresh) : result.finished ? `No items left: the review of ${subjectName} is complete.` : ''}`.trim());
    } catch (error) {
      const map = decisionErrors(error, decisions, options.bulk);
      setErrors(map);
      const first = Object.values(map)[0] ?? 'the server refused.';
      announce(`Not saved: ${first}`);
      // The first control with an error takes focus, so its message is read with it.
      const key = Object.keys(map).find((k) => k !== 'top');
      if (key) {
        const [itemId, control] = key.split(':');
        const domId = domIds.get(itemId!);
        const id = itemId === 'bulk' ? 'bulk-comment' : control === 'comment' ? `${domId}-comment` : control === 'endDate' ? `${domId}-end` : undefined;
        setTimeout(() => (id ? document.getElementById(id)?.focus() : undefined), 0);
      }
    } finally {
      saving.current = false;
      setBusy(false);
    }
  }

  const commentOf = (item: ItemView, shared = ''): string | undefined => (comments[item.id] ?? '').trim() || shared.trim() || undefined;

  const decideOne = (item: ItemView, outcome: 'APPROVE' | 'REJECT', advance = false) => {
    const comment = commentOf(item);
    const verb = outcome === 'APPROVE' ? 'approved' : 'rejected';
    void save([{ itemId: item.id, outcome, ...(comment ? { comment } : {}) }], `${verb} ${itemName(item)} for ${subjectName}${comment ? ', with your comment' : ''}`, {
      bulk: false,
      from: item.id,
      advance,
    });
  };

  const modifyOne = (item: ItemView, change: Change) => {
    const comment = commentOf(item);
    void save([{ itemId: item.id, outcome: 'MODIFY', ...change, ...(comment ? { comment } : {}) }], `changed ${itemName(item)} for ${subjectName} (${describeChange(change)})`, {
      bulk: false,
      from: item.id,
    });
  };

  const decideSelected = (outcome: 'APPROVE' | 'REJECT') => {
    if (chosen.length === 0) {
      setErrors({ bulk: 'Select at least one item first: tick its box, or “Select all open items”.' });
      selectAll.current?.focus();
      return;
    }
    const verb = outcome === 'APPROVE' ? 'approved' : 'rejected';
    const decisions = chosen.map((item) => {
      const comment = commentOf(item, bulkComment);
      return { itemId: item.id, outcome, ...(comment ? { comment } : {}) };
    });
    const what = chosen.length === 1 ? `${verb} ${itemName(chosen[0]!)} for ${subjectName}` : `${verb} ${plural(chosen.length, 'item')} for ${subjectName}`;
    void save(decisions, what, { bulk: true, from: chosen[0]!.id });
  };

  const reassigned = (result: ReassignResult) => {
    const to = result.approvers?.find((p) => p.id === result.reassignment.to)?.displayName ?? result.reassignment.to;
    const moved = result.reassignment.dueDate ? ` It is now due ${formatInstant(result.reassignment.dueDate)}.` : '';
    setReassignOpen(false);
    if (result.permissions?.canDecide || result.permissions?.isCampaignOwner) {
      onEntry(result);
      announce(`Reassigned: ${to} now reviews ${subjectName}.${moved}`);
    } else {
      announce(`Reassigned: ${to} now reviews ${subjectName}.${moved} It has left your tasks.`);
      route('/tasks');
    }
  };

  // Shortcuts: document-wide on this view, never while typing in a field or with a dialog open.
  const onKey = useRef<(e: KeyboardEvent) => void>();
  onKey.current = (e: KeyboardEvent) => {
    if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey || isTypingTarget(e.target)) return;
    if (document.querySelector('dialog[open]')) return;
    const index = active ? visible.findIndex((i) => i.id === active) : -1;
    const current = index >= 0 ? visible[index] : undefined;
    const needItem = () => announce('First move to an item: press j or the down arrow.');
    const handled = () => e.preventDefault();
    // The arrows move between items only from within the table (or from nowhere): elsewhere they scroll.
    const arrow = e.key === 'ArrowDown' || e.key === 'ArrowUp';
    if (arrow && !(document.activeElement === document.body || table.current?.contains(document.activeElement))) return;
    switch (e.key) {
      case 'j':
      case 'ArrowDown':
        handled();
        focusItem(visible[Math.min(index + 1, visible.length - 1)]?.id);
        break;
      case 'k':
      case 'ArrowUp':
        handled();
        focusItem(visible[Math.max(index - 1, 0)]?.id);
        break;
      case 'x':
        if (!canDecide) return;
        handled();
        if (!current) return needItem();
        setSelected(new Set(selected.has(current.id) ? [...selected].filter((id) => id !== current.id) : [...selected, current.id]));
        break;
      case 'a':
      case 'r':
        if (!canDecide) return;
        handled();
        if (!current) return needItem();
        decideOne(current, e.key === 'a' ? 'APPROVE' : 'REJECT', true);
        break;
      case 'A':
      case 'R':
        if (!canDecide) return;
        handled();
        decideSelected(e.key === 'A' ? 'APPROVE' : 'REJECT');
        break;
      case 'm':
      case 'c':
        if (!canDecide) return;
        handled();
        if (!current) return needItem();
        if (e.key === 'm') setModifying(current.id);
        setTimeout(() => document.getElementById(`${domIds.get(current.id)}-${e.key === 'm' ? 'end' : 'comment'}`)?.focus(), 0);
        break;
      case '/':
        handled();
        filterField.current?.focus();
        break;
      case '?':
        handled();
        setHelpOpen(true);
        break;
    }
  };
  // Attached with the page, not after its paint: a key pressed as soon as the review shows works.
  useLayoutEffect(() => {
    const listener = (e: KeyboardEvent) => onKey.current?.(e);
    document.addEventListener('keydown', listener);
    return () => document.removeEventListener('keydown', listener);
  }, []);

  const readOnly =
    entry.state !== 'RUNNING'
      ? 'This review is closed: it is shown as it ended, read-only.'
      : entry.overdue
        ? `This review was due ${formatInstant(entry.dueDate)}: decisions are closed.${permissions.canReassign ? ' Reassigning it with a later due date opens it again.' : ''}`
        : !permissions.canDecide
          ? permissions.isCampaignOwner
            ? 'You own this campaign and may reassign this review; only its approvers decide it.'
            : 'You may read this review but not decide it.'
          : undefined;

  return (
    <>
      <div class="entry-tools">
        <button type="button" class="secondary" onClick={() => setHelpOpen(true)} aria-keyshortcuts="?">
          Keyboard shortcuts
        </button>
        {permissions.canReassign && (
          <button type="button" class="secondary" onClick={() => setReassignOpen(true)}>
            Reassign
          </button>
        )}
      </div>
      {readOnly && <p class="notice">{readOnly}</p>}
      <section aria-labelledby="items-heading" class="items">
        <h2 id="items-heading">
          Items <span class="muted">({entry.openItemCount} of {plural(entry.itemCount, 'item')} open)</span>
        </h2>
        {errors.top && (
          <p role="alert" class="error-box">
            {errors.top}
          </p>
        )}
        <div class="toolbar filters" role="search" aria-label="Filter the items">
          <div class="field">
            <label for="item-filter">Filter items</label>
            <input
              id="item-filter"
              ref={filterField}
              type="search"
              value={text}
              autocomplete="off"
              aria-keyshortcuts="/"
              onInput={(e) => setText(e.currentTarget.value)}
              onKeyDown={(e) => {
                if (e.key === 'Escape' && text) {
                  e.preventDefault();
                  setText('');
                }
              }}
            />
          </div>
          <div class="field">
            <label for="risk-filter">Risk</label>
            <select id="risk-filter" value={risk} onChange={(e) => setRisk(e.currentTarget.value as RiskLevel | '')}>
              <option value="">Any risk</option>
              {RISKS.map((r) => (
                <option key={r} value={r}>
                  {r[0] + r.slice(1).toLowerCase()}
                </option>
              ))}
            </select>
          </div>
          <label class="check">
            <input type="checkbox" checked={openOnly} onChange={(e) => setOpenOnly(e.currentTarget.checked)} /> Open items only
          </label>
          <p class="muted shown-count" aria-live="off">
            Showing {visible.length} of {plural(entry.itemCount, 'item')}
          </p>
        </div>
        {canDecide && (
          <div class="toolbar bulk" role="group" aria-label="Decide the selected items">
            <label class="check">
              <input
                type="checkbox"
                ref={selectAll}
                checked={allSelected}
                disabled={openVisible.length === 0}
                aria-describedby="select-all-hint"
                onChange={() => setSelected(allSelected ? new Set([...selected].filter((id) => !openVisible.some((i) => i.id === id))) : new Set([...selected, ...openVisible.map((i) => i.id)]))}
              />{' '}
              Select all open items
            </label>
            <span id="select-all-hint" class="muted">
              {plural(chosen.length, 'item')} selected
            </span>
            <div class="field grow">
              <label for="bulk-comment">Comment for selected</label>
              <input
                id="bulk-comment"
                type="text"
                maxLength={2000}
                value={bulkComment}
                onInput={(e) => setBulkComment(e.currentTarget.value)}
                aria-invalid={errors['bulk:comment'] ? 'true' : undefined}
                aria-describedby={errors['bulk:comment'] ? 'bulk-comment-error' : 'bulk-comment-hint'}
              />
              <p id="bulk-comment-hint" class="hint">
                Used for each selected item with no comment of its own.
              </p>
              <FieldError id="bulk-comment-error" message={errors['bulk:comment']} />
            </div>
            <div class="buttons">
              <button type="button" class="approve" onClick={() => decideSelected('APPROVE')} aria-describedby={errors.bulk ? 'bulk-error' : undefined}>
                Approve selected
              </button>
              <button type="button" class="reject" onClick={() => decideSelected('REJECT')} aria-describedby={errors.bulk ? 'bulk-error' : undefined}>
                Reject selected
              </button>
            </div>
            <FieldError id="bulk-error" message={errors.bulk} />
          </div>
        )}
        <div class="table-wrap">
          <table ref={table} class="item-table" aria-busy={busy ? 'true' : 'false'} aria-describedby={canDecide ? 'shortcut-hint' : undefined}>
            <caption class="sr-only">Items under review for {subjectName}</caption>
            <thead>
              <tr>
                {canDecide && (
                  <th scope="col">
                    <span class="sr-only">Selected</span>
                  </th>
                )}
                <th scope="col">Privilege</th>
                <th scope="col">Risk</th>
                <th scope="col">Origin</th>
                <th scope="col">Granted</th>
                <th scope="col">End date</th>
                <th scope="col">Parameters</th>
                <th scope="col">Earlier stages</th>
                <th scope="col">Decision</th>
                {canDecide && <th scope="col">Your decision</th>}
              </tr>
            </thead>
            <tbody>
              {visible.map((item) => (
                <ItemRow
                  key={item.id}
                  item={item}
                  label={labelOf(item)}
                  holder={entry.subjectKind === 'USER' ? undefined : (item.userName ?? item.userId)}
                  domId={domIds.get(item.id)!}
                  canDecide={canDecide}
                  nameOf={nameOf}
                  selected={selected.has(item.id)}
                  onSelect={(checked) => setSelected(new Set(checked ? [...selected, item.id] : [...selected].filter((id) => id !== item.id)))}
                  comment={comments[item.id] ?? ''}
                  onComment={(value) => setComments({ ...comments, [item.id]: value })}
                  active={active === item.id}
                  onActivate={() => setActive(item.id)}
                  modifying={modifying === item.id}
                  onModifying={(open) => {
                    setModifying(open ? item.id : undefined);
                    if (!open) setTimeout(() => focusItem(item.id), 0);
                  }}
                  errors={errors}
                  onDecide={(outcome) => decideOne(item, outcome)}
                  onModify={(change) => modifyOne(item, change)}
                  focusRef={(element) => {
                    if (element) focusTargets.current.set(item.id, element);
                    else focusTargets.current.delete(item.id);
                  }}
                />
              ))}
              {visible.length === 0 && (
                <tr>
                  <td colSpan={canDecide ? 10 : 8} class="empty">
                    No item matches the filters.
                  </td>
                </tr>
              )}
            </tbody>
          </table>
        </div>
        {canDecide && (
          <p id="shortcut-hint" class="hint">
            Tip: press <kbd>j</kbd> and <kbd>k</kbd> to move between items, <kbd>a</kbd> to approve, <kbd>r</kbd> to reject, <kbd>?</kbd> for all shortcuts.
          </p>
        )}
      </section>
      {entry.reassignments.length > 0 && (
        <section aria-labelledby="history-heading" class="history">
          <h2 id="history-heading">Reassignments</h2>
          <ol class="plain">
            {entry.reassignments.map((r, i) => (
              <li key={i}>
                <time dateTime={r.at}>{formatInstant(r.at)}</time>: {nameOf(r.by)} handed the review from {r.from.map(nameOf).join(', ') || 'nobody'} to {nameOf(r.to)}
                {r.dueDate ? `, due ${formatInstant(r.dueDate)}` : ''}: <q>{r.justification}</q>
              </li>
            ))}
          </ol>
        </section>
      )}
      <Modal open={helpOpen} onClose={() => setHelpOpen(false)} titleId="help-title" className="help">
        <h2 id="help-title">Keyboard shortcuts</h2>
        <p>They work anywhere on this page except while you type in a field.</p>
        <table class="shortcuts">
          <caption class="sr-only">Keyboard shortcuts of the review page</caption>
          <thead>
            <tr>
              <th scope="col">Key</th>
              <th scope="col">Does</th>
            </tr>
          </thead>
          <tbody>
            {SHORTCUTS.map(([keys, what]) => (
              <tr key={what}>
                <td>
                  {keys.map((k, i) => (
                    <span key={k}>
                      {i > 0 && ' or '}
                      <kbd>{k}</kbd>
                    </span>
                  ))}
                </td>
                <td>{what}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <div class="buttons">
          <button type="button" class="primary" onClick={() => setHelpOpen(false)}>
            Close
          </button>
        </div>
      </Modal>
      {permissions.canReassign && <ReassignDialog entry={entry} open={reassignOpen} onClose={() => setReassignOpen(false)} onDone={reassigned} />}
    </>
  );
}
