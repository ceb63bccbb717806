// One assignment under review: what it is, what earlier stages and this one decided, and (for an
// approver of an open entry) a comment, Approve, Reject and Modify, each saved at once.
import { useRef, useState } from 'preact/hooks';
import type { Decision, ItemView } from '../../../../lambdas/approver-api/api-types.js';
import type { ErrorMap } from '../api-errors.js';
import { describeChange, formatDay, formatInstant, originWord, OUTCOME_PAST, riskWord } from '../format.js';

export interface Change {
  endDate?: string | null;
  parameters?: Record<string, string | null>;
}

export interface ItemRowProps {
  item: ItemView;
  /** The item's name in every control's name: "Approve <label>". */
  label: string;
  /** The holder, shown under the privilege when the entry is not one user's. */
  holder: string | undefined;
  /** A DOM-safe id prefix for the row's controls. */
  domId: string;
  canDecide: boolean;
  nameOf: (userId: string) => string;
  selected: boolean;
  onSelect: (checked: boolean) => void;
  comment: string;
  onComment: (text: string) => void;
  active: boolean;
  onActivate: () => void;
  modifying: boolean;
  onModifying: (open: boolean) => void;
  errors: ErrorMap;
  onDecide: (outcome: 'APPROVE' | 'REJECT') => void;
  onModify: (change: Change) => void;
  /** The element keyboard navigation focuses: the checkbox, or the row when read-only. */
  focusRef: (element: HTMLElement | null) => void;
}

/** aria-invalid and aria-describedby for a control with an error (and a hint, if any). */
function described(error: string | undefined, errorId: string, hintId?: string) {
  const ids = [hintId, error ? errorId : undefined].filter(Boolean).join(' ');
  return { 'aria-invalid': error ? ('true' as const) : undefined, 'aria-describedby': ids || undefined };
}

export function FieldError({ id, message }: { id: string; message: string | undefined }) {
  return message ? (
    <p id={id} class="field-error" role="alert">
      {message}
    </p>
  ) : null;
}

export function DecisionText({ decision, nameOf }: { decision: Decision; nameOf: (id: string) => string }) {
  const verb = OUTCOME_PAST[decision.outcome];
  return (
    <>
      <span class={`outcome outcome-${decision.outcome.toLowerCase()}`}>{verb[0]!.toUpperCase() + verb.slice(1)}</span>
      {decision.outcome === 'MODIFY' && <span class="change">: {describeChange(decision)}</span>}
      <span class="by">
        {' '}
        by {nameOf(decision.decidedBy)}, <time dateTime={decision.decidedAt}>{formatInstant(decision.decidedAt)}</time>
      </span>
      {decision.comment && <q class="comment">{decision.comment}</q>}
    </>
  );
}

export function ItemRow(props: ItemRowProps) {
  const { item, label, domId, canDecide, errors } = props;
  const rowError = errors[`${item.id}:row`];
  const commentError = errors[`${item.id}:comment`];
  const target = useRef<HTMLElement | null>(null);
  const keep = (element: HTMLElement | null) => {
    target.current = element;
    props.focusRef(element);
  };
  const classes = ['item', item.open ? 'is-open' : 'is-decided', props.active ? 'active' : '', props.selected ? 'selected' : ''].filter(Boolean).join(' ');
  return (
    <tr class={classes} ref={canDecide ? undefined : keep} tabIndex={canDecide ? undefined : -1} onFocusCapture={props.onActivate}>
      {canDecide && (
        <td class="select" data-label="Select">
          <label class="check">
            <input type="checkbox" ref={keep} checked={props.selected} onChange={(e) => props.onSelect(e.currentTarget.checked)} />
            <span class="sr-only">Select {label}</span>
          </label>
        </td>
      )}
      <th scope="row" class="privilege">
        <span class="privilege-name">{item.privilegeName ?? item.privilegeId}</span>
        {props.holder && <span class="holder">for {props.holder}</span>}
        <span class="muted code">{item.privilegeId}</span>
      </th>
      <td data-label="Risk">
        <span class={`badge risk-${(item.privilegeRisk ?? 'none').toLowerCase()}`}>{riskWord(item.privilegeRisk)}</span>
      </td>
      <td data-label="Origin">{originWord(item.origin)}</td>
      <td data-label="Granted">{item.grantedAt ? <time dateTime={item.grantedAt}>{formatDay(item.grantedAt)}</time> : 'Unknown'}</td>
      <td data-label="End date">{item.endDate ? <time dateTime={item.endDate}>{formatDay(item.endDate)}</time> : 'None'}</td>
      <td data-label="Parameters">
        {Object.keys(item.parameters).length === 0 ? (
          'None'
        ) : (
          <ul class="plain">
            {Object.entries(item.parameters).map(([name, value]) => (
              <li key={name}>
                {name}: <span class="code">{value}</span>
              </li>
            ))}
          </ul>
        )}
      </td>
      <td data-label="Earlier stages">
        {item.priorDecisions?.length ? (
          <ol class="plain">
            {item.priorDecisions.map((d, i) => (
              <li key={i}>
                Stage {i + 1}: <DecisionText decision={d} nameOf={props.nameOf} />
              </li>
            ))}
          </ol>
        ) : (
          'None'
        )}
      </td>
      <td data-label="Decision" class="decision">
        {item.decision ? <DecisionText decision={item.decision} nameOf={props.nameOf} /> : <span class="outcome outcome-open">Open</span>}
      </td>
      {canDecide && (
        <td data-label="Your decision" class="actions">
          <div class="comment-field">
            <label for={`${domId}-comment`}>
              Comment<span class="sr-only"> on {label}</span>
            </label>
            <input
              id={`${domId}-comment`}
              type="text"
              maxLength={2000}
              value={props.comment}
              onInput={(e) => props.onComment(e.currentTarget.value)}
              onKeyDown={(e) => {
                // Escape leaves the field (keeping the text) for the row, where the shortcuts work again.
                if (e.key === 'Escape') {
                  e.preventDefault();
                  target.current?.focus();
                }
              }}
              {...described(commentError, `${domId}-comment-error`)}
            />
            <FieldError id={`${domId}-comment-error`} message={commentError} />
          </div>
          <div class="buttons">
            <button type="button" class="approve" onClick={() => props.onDecide('APPROVE')} aria-describedby={rowError ? `${domId}-error` : undefined}>
              Approve<span class="sr-only"> {label}</span>
            </button>
            <button type="button" class="reject" onClick={() => props.onDecide('REJECT')} aria-describedby={rowError ? `${domId}-error` : undefined}>
              Reject<span class="sr-only"> {label}</span>
            </button>
            <button type="button" class="secondary" aria-expanded={props.modifying} aria-controls={`${domId}-modify`} onClick={() => props.onModifying(!props.modifying)}>
              Modify<span class="sr-only"> {label}</span>
            </button>
          </div>
          <FieldError id={`${domId}-error`} message={rowError} />
          {props.modifying && <ModifyForm {...props} />}
        </td>
      )}
    </tr>
  );
}

/** The end date and the role parameters a MODIFY decision sets; null removes. */
function ModifyForm({ item, label, domId, errors, onModify, onModifying }: ItemRowProps) {
  const [endDate, setEndDate] = useState('');
  const [removeEnd, setRemoveEnd] = useState(false);
  const [values, setValues] = useState<Record<string, string>>({ ...item.parameters });
  const [removed, setRemoved] = useState<Record<string, boolean>>({});
  const [newName, setNewName] = useState('');
  const [newValue, setNewValue] = useState('');
  const [localError, setLocalError] = useState<string | undefined>();
  const endError = errors[`${item.id}:endDate`] ?? localError;
  const paramError = errors[`${item.id}:parameters`];

  const submit = (e: Event) => {
    e.preventDefault();
    const change: Change = {};
    if (removeEnd) change.endDate = null;
    else if (endDate) change.endDate = endDate;
    const parameters: Record<string, string | null> = {};
    for (const [name, value] of Object.entries(item.parameters)) {
      if (removed[name]) parameters[name] = null;
      else if (values[name] !== undefined && values[name] !== value) parameters[name] = values[name]!;
    }
    if (newName.trim()) parameters[newName.trim()] = newValue;
    if (Object.keys(parameters).length > 0) change.parameters = parameters;
    if (change.endDate === undefined && !change.parameters) {
      setLocalError('Choose a new end date, remove it, or change a parameter first.');
      document.getElementById(`${domId}-end`)?.focus();
      return;
    }
    setLocalError(undefined);
    onModify(change);
  };

  return (
    <form
      id={`${domId}-modify`}
      class="modify"
      onSubmit={submit}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.preventDefault();
          onModifying(false);
        }
      }}
    >
      <fieldset>
        <legend>
          Change<span class="sr-only"> {label}</span>
        </legend>
        <div class="field">
          <label for={`${domId}-end`}>
            New end date<span class="sr-only"> for {label}</span>
          </label>
          <input
            id={`${domId}-end`}
            type="date"
            value={endDate}
            disabled={removeEnd}
            onInput={(e) => setEndDate(e.currentTarget.value)}
            {...described(endError, `${domId}-end-error`, `${domId}-end-hint`)}
          />
          <p id={`${domId}-end-hint`} class="hint">
            Now: {formatDay(item.endDate)}. Leave empty to keep it.
          </p>
          <FieldError id={`${domId}-end-error`} message={endError} />
        </div>
        {item.endDate && (
          <label class="check">
            <input type="checkbox" checked={removeEnd} onChange={(e) => setRemoveEnd(e.currentTarget.checked)} /> Remove the end date
            <span class="sr-only"> of {label}</span>
          </label>
        )}
        {Object.keys(item.parameters).map((name, i) => (
          <div class="field" key={name}>
            <label for={`${domId}-p${i}`}>
              Parameter {name}
              <span class="sr-only"> for {label}</span>
            </label>
            <input
              id={`${domId}-p${i}`}
              type="text"
              value={values[name] ?? ''}
              disabled={removed[name]}
              onInput={(e) => setValues({ ...values, [name]: e.currentTarget.value })}
              {...described(paramError, `${domId}-param-error`)}
            />
            <label class="check">
              <input type="checkbox" checked={removed[name] ?? false} onChange={(e) => setRemoved({ ...removed, [name]: e.currentTarget.checked })} /> Remove{' '}
              {name}
            </label>
          </div>
        ))}
        <div class="field-pair">
          <div class="field">
            <label for={`${domId}-new-name`}>Add parameter</label>
            <input id={`${domId}-new-name`} type="text" value={newName} onInput={(e) => setNewName(e.currentTarget.value)} {...described(paramError, `${domId}-param-error`)} />
          </div>
          <div class="field">
            <label for={`${domId}-new-value`}>Its value</label>
            <input id={`${domId}-new-value`} type="text" value={newValue} onInput={(e) => setNewValue(e.currentTarget.value)} />
          </div>
        </div>
        <FieldError id={`${domId}-param-error`} message={paramError} />
        <div class="buttons">
          <button type="submit" class="primary">
            Save change<span class="sr-only"> to {label}</span>
          </button>
          <button type="button" class="secondary" onClick={() => onModifying(false)}>
            Cancel<span class="sr-only"> change to {label}</span>
          </button>
        </div>
      </fieldset>
    </form>
  );
}
