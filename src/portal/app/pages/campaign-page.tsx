// One campaign's progress (the campaign owner's view): a placeholder; branch portal-owner builds the view.
import type { ApiClient } from '../api-client.js';
import { useTitle } from '../shell.js';

export function CampaignPage(_props: { api: ApiClient; id?: string }) {
  useTitle('Campaign');
  return <h1>Campaign</h1>;
}
