// Who the browser acts for. Locally the server's sign-in page sets a cookie and the page only
// follows config.auth.signInUrl; deployed, the Cognito hosted UI signs in with the
// authorization-code flow and PKCE, and the tokens stay in this page's memory (never localStorage).
import type { PortalAuthConfig } from '../contract.js';
import type { Authorize } from './api-client.js';

export interface Session {
  /** Adds the caller's credentials to an API request. */
  authorize: Authorize;
  /** Sends the browser to sign in (again), coming back to `returnTo`. */
  signIn(returnTo: string): void;
  signOut(): void;
}

/** Builds the session for the configuration; finishes a sign-in when the page is the callback. */
export async function startSession(auth: PortalAuthConfig): Promise<Session> {
  if (auth.kind === 'local') {
    return {
      authorize: async () => {},
      signIn: (returnTo) => window.location.assign(`${auth.signInUrl}?returnTo=${encodeURIComponent(returnTo)}`),
      signOut: () => window.location.assign(auth.signOutUrl),
    };
  }
  throw new Error('Cognito sign-in is not built yet');
}
