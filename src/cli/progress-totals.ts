// The total of a controller phase that the campaign does not carry: GUARD and APPLY walk the run's
// entries, whose number is nowhere on the campaign (its preparation counts only the first stage's,
// and later stages add entries). For the progress line only (a local run on a terminal), it is
// counted once per campaign in the background on the local store, while the phase works; until it
// is known, the line says the total is unknown rather than guess one.
import type { CampaignStore, ProgressEvent, ProgressSink } from '../../lambdas/shared/use-cases/ports.js';

/** The controller phases whose total is the run's entry count. */
const ENTRY_PHASES: ReadonlySet<string> = new Set(['GUARD', 'APPLY']);

export class RunEntryTotals {
  /** By campaign id: the count, or a count under way or failed (then the total stays unknown). */
  private readonly counts = new Map<string, number | 'COUNTING' | 'FAILED'>();
  private readonly counting = new Set<Promise<void>>();
  private stopped = false;

  constructor(private readonly campaigns: Pick<CampaignStore, 'getCampaign' | 'listEntries'>) {}

  /** `sink` with the run's entry count added to GUARD and APPLY events once it is known. */
  wrap(sink: ProgressSink): ProgressSink {
    return (event) => sink(this.withTotal(event));
  }

  withTotal(event: ProgressEvent): ProgressEvent {
    if (event.total !== undefined || event.job !== 'campaign-controller' || !event.campaignId || !ENTRY_PHASES.has(event.phase)) return event;
    const known = this.counts.get(event.campaignId);
    if (typeof known === 'number') return { ...event, total: known };
    if (known === undefined && !this.stopped) this.start(event.campaignId);
    return event;
  }

  /** Stops the counts under way (at their next page) and waits for them: call before the store closes. */
  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all([...this.counting]);
  }

  private start(campaignId: string): void {
    this.counts.set(campaignId, 'COUNTING');
    const task = this.count(campaignId)
      .then((n) => void this.counts.set(campaignId, n ?? 'FAILED'))
      .catch(() => void this.counts.set(campaignId, 'FAILED'))
      .finally(() => this.counting.delete(task));
    this.counting.add(task);
  }

  /** The entries of the campaign's current run; undefined if stopped first or the campaign is gone. */
  private async count(campaignId: string): Promise<number | undefined> {
    const campaign = await this.campaigns.getCampaign(campaignId);
    if (!campaign) return undefined;
    let entries = 0;
    for await (const page of this.campaigns.listEntries(campaign.runId)) {
      if (this.stopped) return undefined;
      entries += page.length;
    }
    return entries;
  }
}
