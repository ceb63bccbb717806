// A campaign whose decisions would remove more than its revocation cap allows waits for its owner:
// what applying would do, counted before anything was removed, and a confirmation that names the
// number of removals the owner saw (POST /campaigns/{id}/confirm-apply). The next controller run
// applies it; the confirmation is recorded under the owner's name.
import { useState } from 'preact/hooks';
import type { AwaitingConfirmationView, CampaignSummaryView, ConfirmApplyResult } from '../../../../lambdas/approver-api/api-types.js';
import { ApiError } from '../api-client.js';
import { FormButtons, Modal } from '../dialog.js';
import { formatInstant, plural } from '../format.js';
import { usePortal } from '../shell.js';

const percent = (share: number) => `${Math.round(share * 1000) / 10} %`;

export function AwaitingConfirmation({ campaign, onConfirmed }: { campaign: CampaignSummaryView & { awaitingConfirmation: AwaitingConfirmationView }; onConfirmed: (result: ConfirmApplyResult) => void | Promise<void> }) {
  const waiting = campaign.awaitingConfirmation;
  const { counts } = waiting;
  const [open, setOpen] = useState(false);
  return (
    <section class="owner-confirm" aria-labelledby="confirm-heading">
      <h2 id="confirm-heading">Waiting for your confirmation</h2>
      <p>
        Applying the decisions would remove <strong>{plural(counts.remove, 'assignment')}</strong> of {counts.items} ({percent(waiting.removalShare)}), more than this
        campaign's cap of {percent(waiting.maxRemovalShare)}. Nothing has been removed: the campaign has waited for you since{' '}
        <time dateTime={waiting.since}>{formatInstant(waiting.since)}</time>.
      </p>
      <ul class="owner-confirm-counts" aria-label="What applying would do">
        <li>
          <strong>{counts.remove}</strong> removed
        </li>
        <li>
          <strong>{counts.modify}</strong> changed
        </li>
        <li>
          <strong>{counts.handOver}</strong> handed to an approval workflow
        </li>
        <li>
          <strong>{counts.keep}</strong> kept
        </li>
        <li>
          <strong>{counts.keptByGuard}</strong> kept: protected
        </li>
      </ul>
      <p class="hint">
        To see each assignment and why, run <code>idgov campaign apply-preview {campaign.id}</code>. If the decisions are not what you meant, change them
        before you confirm.
      </p>
      <button type="button" class="primary" onClick={() => setOpen(true)}>
        Review and confirm
      </button>
      <Modal open={open} onClose={() => setOpen(false)} titleId="confirm-apply-title" className="confirm-apply">
        {open ? <ConfirmForm campaign={campaign} onClose={() => setOpen(false)} onConfirmed={onConfirmed} /> : null}
      </Modal>
    </section>
  );
}

function ConfirmForm({
  campaign,
  onClose,
  onConfirmed,
}: {
  campaign: CampaignSummaryView & { awaitingConfirmation: AwaitingConfirmationView };
  onClose: () => void;
  onConfirmed: (result: ConfirmApplyResult) => void | Promise<void>;
}) {
  const { api, announce } = usePortal();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const { remove } = campaign.awaitingConfirmation.counts;

  const submit = async (e: Event) => {
    e.preventDefault();
    if (busy) return;
    setBusy(true);
    try {
      const result = await api.confirmApply(campaign.id, remove);
      onClose();
      await onConfirmed(result);
    } catch (failure) {
      const message = failure instanceof ApiError || failure instanceof Error ? failure.message : String(failure);
      setError(message);
      announce(`Not confirmed: ${message}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate>
      <h2 id="confirm-apply-title">Remove {plural(remove, 'assignment')}?</h2>
      <p>
        The next controller run removes them from the directory, reads the directory back to check each one is gone, and tells every user who lost access.
        Your confirmation is recorded in the campaign's audit log under your name.
      </p>
      {error ? (
        <p role="alert" class="error-box">
          {error}
        </p>
      ) : null}
      <FormButtons action={`Confirm: remove ${plural(remove, 'assignment')}`} busy={busy} onCancel={onClose} />
    </form>
  );
}
