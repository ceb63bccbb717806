// The approver portal's entry point: reads the configuration, starts the session, renders the app.
import { render } from 'preact';
import { LocationProvider, Route, Router } from 'preact-iso';
import type { PortalConfig } from '../contract.js';
import { PORTAL_CONFIG_PATH } from '../contract.js';
import { ApiClient } from './api-client.js';
import { startSession } from './auth.js';
import { CampaignPage } from './pages/campaign-page.js';
import { CampaignsPage } from './pages/campaigns-page.js';
import { TasksPage } from './pages/tasks-page.js';

async function start(): Promise<void> {
  const root = document.getElementById('app')!;
  const config = (await (await fetch(PORTAL_CONFIG_PATH, { headers: { accept: 'application/json' } })).json()) as PortalConfig;
  const session = await startSession(config.auth);
  const api = new ApiClient(config.apiUrl, session.authorize, () => session.signIn(window.location.pathname + window.location.search));
  render(
    <LocationProvider>
      <Router>
        <Route path="/" component={() => <TasksPage api={api} />} />
        <Route path="/tasks" component={() => <TasksPage api={api} />} />
        <Route path="/campaigns" component={() => <CampaignsPage api={api} />} />
        <Route path="/campaigns/:id" component={() => <CampaignPage api={api} />} />
        <Route default component={() => <p>Not found</p>} />
      </Router>
    </LocationProvider>,
    root,
  );
}

void start();
