// The approver portal's entry point: reads the configuration, starts the session, renders the
// shell and the views (one route each; the mails link to /tasks and /entries/{id}).
import { render } from 'preact';
import { LocationProvider, Route, Router } from 'preact-iso';
import type { PortalConfig } from '../contract.js';
import { PORTAL_CONFIG_PATH, PORTAL_SIGNED_OUT_PATH } from '../contract.js';
import { ApiClient } from './api-client.js';
import { startSession } from './auth.js';
import { CampaignPage } from './pages/campaign-page.js';
import { CampaignsPage } from './pages/campaigns-page.js';
import { EntryPage } from './pages/entry-page.js';
import { NotFoundPage } from './pages/not-found-page.js';
import { SignedOutPage, StartupErrorPage } from './pages/standalone-page.js';
import { TasksPage } from './pages/tasks-page.js';
import { Shell } from './shell.js';
import './styles.css';

async function start(root: HTMLElement): Promise<void> {
  // Where the hosted sign-out returns: no session to start, or the shell's first request would sign in again.
  if (window.location.pathname === PORTAL_SIGNED_OUT_PATH) {
    render(<SignedOutPage />, root);
    return;
  }
  const response = await fetch(PORTAL_CONFIG_PATH, { headers: { accept: 'application/json' } });
  if (!response.ok) throw new Error(`The portal's configuration could not be read (${PORTAL_CONFIG_PATH}: ${response.status}).`);
  const config = (await response.json()) as PortalConfig;
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

const root = document.getElementById('app')!;
start(root).catch((error: unknown) => {
  render(<StartupErrorPage message={error instanceof Error ? error.message : String(error)} />, root);
});
