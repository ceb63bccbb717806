// What the campaign owner's two pages share: loading an API view, states in words, dates in the
// viewer's time zone, and the progress bar.
import { useCallback, useEffect, useState } from 'preact/hooks';
import type { CampaignState, CampaignSummaryView, EntryState } from '../../../../lambdas/approver-api/api-types.js';
import { ApiError } from '../api-client.js';
import '../owner.css';

export type Load<T> = { status: 'loading' } | { status: 'loaded'; value: T } | { status: 'failed'; error: ApiError | Error };

/** Runs `fetcher` now and whenever `reload` is called; the last answer wins. */
export function useApiView<T>(fetcher: () => Promise<T>, deps: unknown[]): [Load<T>, () => Promise<void>] {
  const [state, setState] = useState<Load<T>>({ status: 'loading' });
  // The caller names what the fetch depends on (the fetcher itself is a new function each render).
  const load = useCallback(fetcher, deps);
  const reload = useCallback(async () => {
    try {
      setState({ status: 'loaded', value: await load() });
    } catch (error) {
      setState({ status: 'failed', error: error as Error });
    }
  }, [load]);
  useEffect(() => {
    setState({ status: 'loading' });
    void reload();
  }, [reload]);
  return [state, reload];
}

/** Entry states in the order a campaign goes through them, in words an owner uses. */
export const ENTRY_STATE_LABELS: Record<EntryState, string> = {
  RUNNING: 'Open',
  'APPROVAL.FINISHED': 'Decided',
  FINISHED: 'Applied',
  'FAILED.EXPIRED': 'Expired',
  'FAILED.PREPARE': 'No approver',
  'FAILED.APPLIED.CHANGES': 'Changes refused',
};

export const CAMPAIGN_STATE_LABELS: Record<CampaignState, string> = {
  PREPARING: 'Preparing',
  RUNNING: 'Running',
  SUCCEEDED: 'Finished',
  'FAILED.PREPARED': 'Could not start',
  DELETED: 'Deleted',
};

export function entryStateLabel(state: EntryState): string {
  return ENTRY_STATE_LABELS[state] ?? state;
}

const INSTANT = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', hour: '2-digit', minute: '2-digit', timeZoneName: 'short' });

/** An instant in the viewer's own time zone, with the zone's name so that nobody has to guess. */
export function formatInstant(iso: string): string {
  return INSTANT.format(new Date(iso));
}

/** "in 3 days", "2 days ago", measured from the server's now (locally it may be simulated). */
export function relativeDays(iso: string, asOf: string): string {
  const days = Math.round((Date.parse(iso) - Date.parse(asOf)) / 86_400_000);
  return new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' }).format(days, 'day');
}

/** A due date in the viewer's time zone; with the server's now, also how far away it is. */
export function DueDate({ iso, asOf, overdue }: { iso: string | null; asOf?: string; overdue?: boolean }) {
  if (!iso) return <span class="owner-muted">No due date</span>;
  return (
    <span class="owner-due">
      <time dateTime={iso}>{formatInstant(iso)}</time>
      {asOf ? <span class="owner-muted"> ({relativeDays(iso, asOf)})</span> : null}
      {overdue ? (
        <>
          {' '}
          <span class="owner-badge owner-badge--overdue">Overdue</span>
        </>
      ) : null}
    </span>
  );
}

/** Share of the run's entries no longer open, as a bar and in words. */
export function Progress({ campaign, id }: { campaign: CampaignSummaryView; id: string }) {
  const open = campaign.entriesByState.RUNNING ?? 0;
  const closed = campaign.entries - open;
  const percent = Math.round(campaign.completion * 100);
  const text = campaign.entries === 0 ? 'No entries yet' : `${closed} of ${campaign.entries} entries closed (${percent} %)`;
  return (
    <div class="owner-progress">
      <progress id={id} max={100} value={percent} aria-label={`Progress of ${campaign.name}`} aria-describedby={`${id}-text`} />
      <span id={`${id}-text`} class="owner-progress-text">
        {text}
      </span>
    </div>
  );
}

export function StateBadge({ state }: { state: CampaignState }) {
  return <span class={`owner-badge owner-badge--${state === 'RUNNING' ? 'running' : 'other'}`}>{CAMPAIGN_STATE_LABELS[state] ?? state}</span>;
}

export function LoadFailure({ error }: { error: Error }) {
  const status = error instanceof ApiError ? error.status : 0;
  const advice = status === 403 ? ' Only the campaign owner sees its progress.' : status === 404 ? ' Check the link, or open it from My campaigns.' : '';
  return (
    <p role="alert" class="owner-error">
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
