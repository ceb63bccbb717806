// What the campaign owner's two pages share: loading an API view, campaign states in words, due
// dates in the viewer's time zone, the progress bar and the entry counts.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { CampaignState, CampaignSummaryView, EntryState } from '../../../../lambdas/approver-api/api-types.js';
import { ApiError } from '../api-client.js';
import { formatInstant, fromNow, plural } from '../format.js';
import '../owner.css';

export type Load<T> = { status: 'loading' } | { status: 'loaded'; value: T } | { status: 'failed'; error: Error };

/** Runs `fetcher` now and whenever `reload` is called; the caller names what the fetch depends on. */
export function useApiView<T>(fetcher: () => Promise<T>, deps: unknown[]): [Load<T>, () => Promise<void>] {
  const [state, setState] = useState<Load<T>>({ status: 'loading' });
  const load = useCallback(fetcher, deps);
  const reload = useCallback(async () => {
    try {
      setState({ status: 'loaded', value: await load() });
    } catch (error) {
      setState({ status: 'failed', error: error instanceof Error ? error : new Error(String(error)) });
    }
  }, [load]);
  useEffect(() => {
    setState({ status: 'loading' });
    void reload();
  }, [reload]);
  return [state, reload];
}

/** Entry states in the order a run goes through them (the counts are listed in this order). */
export const ENTRY_STATE_ORDER: readonly EntryState[] = ['RUNNING', 'APPROVAL.FINISHED', 'FINISHED', 'FAILED.EXPIRED', 'FAILED.PREPARE', 'FAILED.APPLIED.CHANGES'];

export const statesWithEntries = (campaign: CampaignSummaryView): EntryState[] => ENTRY_STATE_ORDER.filter((s) => (campaign.entriesByState[s] ?? 0) > 0);

const CAMPAIGN_STATE_WORDS: Record<CampaignState, string> = {
  PREPARING: 'Preparing',
  RUNNING: 'Running',
  SUCCEEDED: 'Finished',
  'FAILED.PREPARED': 'Could not start',
  DELETED: 'Deleted',
};

export function StateBadge({ state }: { state: CampaignState }) {
  return <span class={`badge ${state === 'RUNNING' ? 'owner-running' : ''}`}>{CAMPAIGN_STATE_WORDS[state] ?? state}</span>;
}

/** A due date in the viewer's time zone; with the server's now, also how far away it is. */
export function DueDate({ iso, asOf, overdue }: { iso: string | null; asOf?: string; overdue?: boolean }) {
  if (!iso) return <span class="muted">No due date</span>;
  return (
    <span class="owner-due">
      <time dateTime={iso}>{formatInstant(iso)}</time>
      {asOf ? <span class="muted"> ({fromNow(iso, asOf)})</span> : null}
      {overdue ? (
        <>
          {' '}
          <span class="badge badge-overdue">Overdue</span>
        </>
      ) : null}
    </span>
  );
}

export function OverdueCount({ count }: { count: number }) {
  return count > 0 ? <span class="badge badge-overdue">{plural(count, 'overdue entry', 'overdue entries')}</span> : <>None</>;
}

/** Share of the run's entries no longer open, as a bar and in words. */
/** A campaign's due date, who reviews it, and how many entries are overdue: the card's and the progress page's facts. */
export function CampaignFacts({ campaign, asOf }: { campaign: CampaignSummaryView; asOf?: string }) {
  return (
    <dl class="facts owner-facts">
      <div>
        <dt>Due</dt>
        <dd>
          <DueDate iso={campaign.dueDate} {...(asOf ? { asOf } : {})} />
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
  );
}

export function Progress({ campaign, id }: { campaign: CampaignSummaryView; id: string }) {
  const closed = campaign.entries - (campaign.entriesByState.RUNNING ?? 0);
  const percent = Math.round(campaign.completion * 100);
  const text = campaign.entries === 0 ? 'No entries yet' : `${closed} of ${plural(campaign.entries, 'entry', 'entries')} closed (${percent} %)`;
  return (
    <div class="owner-progress">
      <progress id={id} max={100} value={percent} aria-label={`Progress of ${campaign.name}`} aria-describedby={`${id}-text`} />
      <span id={`${id}-text`}>{text}</span>
    </div>
  );
}

export function LoadFailure({ error }: { error: Error }) {
  const status = error instanceof ApiError ? error.status : 0;
  const advice = status === 403 ? ' Only the campaign owner sees its progress.' : status === 404 ? ' Check the link, or open the campaign from My campaigns.' : '';
  return (
    <p role="alert" class="error-box">
      {error.message}
      {advice}
    </p>
  );
}

/** Space held while a view loads, so that nothing below jumps when it arrives. */
export function Placeholder({ lines }: { lines: number }) {
  return (
    <div class="owner-placeholder" aria-hidden="true">
      {Array.from({ length: lines }, (_, i) => (
        <div key={i} class="owner-placeholder-line" />
      ))}
    </div>
  );
}
