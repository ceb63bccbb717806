// My campaigns (the campaign owner's list): a placeholder; branch portal-owner builds the view.
import type { ApiClient } from '../api-client.js';
import { useTitle } from '../shell.js';

export function CampaignsPage(_props: { api: ApiClient }) {
  useTitle('My campaigns');
  return <h1>My campaigns</h1>;
}
