// My campaigns: the campaigns the signed-in user owns (GET /campaigns), newest first, each with its
// state, due date, progress, entries by state and overdue entries.
import type { CampaignListView, CampaignSummaryView } from '../../../../lambdas/approver-api/api-types.js';
import type { ApiClient } from '../api-client.js';
import { DueDate, entryStateLabel, ENTRY_STATE_LABELS, LoadFailure, Placeholder, Progress, StateBadge, useApiView } from './campaign-parts.js';

export function CampaignsPage({ api }: { api: ApiClient }) {
  const [view] = useApiView<CampaignListView>(() => api.campaigns(), [api]);
  return (
    <main class="owner-page" aria-busy={view.status === 'loading'}>
      <h1>My campaigns</h1>
      {view.status === 'loading' ? <Placeholder lines={6} /> : null}
      {view.status === 'failed' ? <LoadFailure error={view.error} /> : null}
      {view.status === 'loaded' ? <CampaignList view={view.value} /> : null}
    </main>
  );
}

function CampaignList({ view }: { view: CampaignListView }) {
  if (view.campaigns.length === 0) {
    return <p>You own no campaign. Campaigns you own appear here with their progress.</p>;
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
  const headingId = `campaign-${campaign.id}`;
  const states = (Object.keys(ENTRY_STATE_LABELS) as (keyof typeof ENTRY_STATE_LABELS)[]).filter((s) => (campaign.entriesByState[s] ?? 0) > 0);
  return (
    <li class="owner-card" aria-labelledby={headingId}>
      <div class="owner-card-head">
        <h2 id={headingId} class="owner-card-title">
          <a href={`/campaigns/${encodeURIComponent(campaign.id)}`}>{campaign.name}</a>
        </h2>
        <StateBadge state={campaign.state} />
      </div>
      <dl class="owner-facts">
        <div>
          <dt>Due</dt>
          <dd>
            <DueDate iso={campaign.dueDate} asOf={asOf} />
          </dd>
        </div>
        <div>
          <dt>Kind</dt>
          <dd>
            {campaign.kind === 'USER' ? 'Users (managers review)' : 'Privileges (owners review)'}, run {campaign.run}
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
      <Progress campaign={campaign} id={`progress-${campaign.id}`} />
      {states.length > 0 ? (
        <ul class="owner-state-counts" aria-label={`Entries of ${campaign.name} by state`}>
          {states.map((s) => (
            <li key={s}>
              <span class="owner-count">{campaign.entriesByState[s]}</span> {entryStateLabel(s)}
            </li>
          ))}
        </ul>
      ) : null}
    </li>
  );
}
