// My campaigns: the campaigns the signed-in user owns (GET /campaigns), newest first, each with its
// state, due date, progress, entries by state and overdue entries.
import { useRef } from 'preact/hooks';
import type { CampaignListView, CampaignSummaryView } from '../../../../lambdas/approver-api/api-types.js';
import type { ApiClient } from '../api-client.js';
import { entryStateWord } from '../format.js';
import { useFocusOnArrival, useTitle } from '../shell.js';
import { CampaignFacts, LoadFailure, Placeholder, Progress, StateBadge, statesWithEntries, useApiView } from './campaign-parts.js';

export function CampaignsPage({ api }: { api: ApiClient }) {
  const [view] = useApiView<CampaignListView>(() => api.campaigns(), [api]);
  const heading = useRef<HTMLHeadingElement>(null);
  useTitle('My campaigns');
  useFocusOnArrival(heading, view.status !== 'loading');
  return (
    <div class="owner-page" aria-busy={view.status === 'loading' ? 'true' : 'false'}>
      <h1 tabIndex={-1} ref={heading}>
        My campaigns
      </h1>
      {view.status === 'loading' ? <Placeholder lines={6} /> : null}
      {view.status === 'failed' ? <LoadFailure error={view.error} /> : null}
      {view.status === 'loaded' ? <CampaignList view={view.value} /> : null}
    </div>
  );
}

function CampaignList({ view }: { view: CampaignListView }) {
  if (view.campaigns.length === 0) {
    return <p class="empty">You own no campaign. The campaigns you own appear here with their progress.</p>;
  }
  return (
    <ul class="owner-cards">
      {view.campaigns.map((campaign) => (
        <CampaignCard key={campaign.id} campaign={campaign} asOf={view.asOf} />
      ))}
    </ul>
  );
}

function CampaignCard({ campaign, asOf }: { campaign: CampaignSummaryView; asOf: string }) {
  const states = statesWithEntries(campaign);
  return (
    <li class="owner-card">
      <div class="owner-card-head">
        <h2 class="owner-card-title">
          <a href={`/campaigns/${encodeURIComponent(campaign.id)}`}>{campaign.name}</a>
        </h2>
        <StateBadge state={campaign.state} />
        {campaign.awaitingConfirmation ? <span class="badge owner-waiting">Waiting for your confirmation</span> : null}
      </div>
      <CampaignFacts campaign={campaign} asOf={asOf} />
      <Progress campaign={campaign} id={`progress-${campaign.id}`} />
      {states.length > 0 ? (
        <ul class="owner-state-counts" aria-label={`Entries of ${campaign.name} by state`}>
          {states.map((s) => (
            <li key={s}>
              <strong>{campaign.entriesByState[s]}</strong> {entryStateWord(s)}
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}
