// The approver portal's entry point: reads the configuration, starts the session, renders the
// shell and the views (one route each; the mails link to /tasks and /entries/{id}).
import { render } from 'preact';
import { LocationProvider, Route, Router } from 'preact-iso';
import type { PortalConfig } from '../contract.js';
import { PORTAL_CONFIG_PATH } from '../contract.js';
import { ApiClient } from './api-client.js';
import { startSession } from './auth.js';
import { CampaignPage } from './pages/campaign-page.js';
import { CampaignsPage } from './pages/campaigns-page.js';
import { EntryPage } from './pages/entry-page.js';
import { NotFoundPage } from './pages/not-found-page.js';
import { TasksPage } from './pages/tasks-page.js';
import { Shell } from './shell.js';
import './styles.css';

async function start(): Promise<void> {
  const root = document.getElementById('app')!;
  const config = (await (await fetch(PORTAL_CONFIG_PATH, { headers: { accept: 'application/json' } })).json()) as PortalConfig;
  const session = await startSession(config.auth);
  const api = new ApiClient(config.apiUrl, session.authorize, () => session.signIn(window.location.pathname + window.location.search));
  render(
    <LocationProvider>
      <Shell api={api} onSignOut={() => session.signOut()}>
        <Router>
          <Route path="/" component={TasksPage} />
          <Route path="/tasks" component={TasksPage} />
          <Route path="/entries/:id" component={EntryPage} />
          <Route path="/campaigns" component={CampaignsPage} api={api} />
          <Route path="/campaigns/:id" component={CampaignPage} api={api} />
          <Route default component={NotFoundPage} />
        </Router>
      </Shell>
    </LocationProvider>,
    root,
  );
}

void start();
