// Who the browser acts for. Locally the server's sign-in page sets a cookie and the page only
// follows config.auth.signInUrl; deployed, the Cognito hosted UI signs in with the
// authorization-code flow and PKCE, and the tokens stay in this page's memory (never localStorage).
//
// Deployed, in order:
//  1. The first API call finds no token in memory: the browser goes to the hosted UI's
//     /oauth2/authorize with response_type=code, a fresh state and a PKCE challenge (S256). Only the
//     state and the PKCE verifier wait in sessionStorage for the way back (one tab, one redirect).
//  2. Cognito sends the browser to /callback?code=&state=; startSession exchanges the code and the
//     verifier at /oauth2/token, keeps the tokens in memory, drops the stored state and replaces the
//     URL with the page the visitor was on.
//  3. Each API call carries `Authorization: Bearer <ID token>` (the API's JWT authorizer checks the
//     ID token: its audience is the app client). Shortly before the token expires, the refresh token
//     (also in memory) gets a new one; if that fails, the browser goes through step 1 again.
// A reload or a new tab starts with empty memory: step 1 runs again, and the hosted UI's own session
// cookie sends the browser straight back without asking for a password (until that session ends).
import { InMemoryWebStorage, UserManager, WebStorageStateStore, type User } from 'oidc-client-ts';
import type { CognitoAuthConfig, PortalAuthConfig } from '../contract.js';
import { PORTAL_CALLBACK_PATH, PORTAL_SIGNED_OUT_PATH } from '../contract.js';
import type { Authorize } from './api-client.js';

export interface Session {
  /** Adds the caller's credentials to an API request. */
  authorize: Authorize;
  /** Sends the browser to sign in (again), coming back to `returnTo`. */
  signIn(returnTo: string): void;
  signOut(): void;
}

/** Renew the ID token when it has less than this left, so that it cannot expire on its way to the API. */
const RENEW_SECONDS_BEFORE_EXPIRY = 60;

/** Builds the session for the configuration; finishes a sign-in when the page is the callback. */
export async function startSession(auth: PortalAuthConfig): Promise<Session> {
  if (auth.kind === 'local') {
    return {
      authorize: async () => {},
      signIn: (returnTo) => window.location.assign(`${auth.signInUrl}?returnTo=${encodeURIComponent(returnTo)}`),
      signOut: () => window.location.assign(auth.signOutUrl),
    };
  }
  return startCognitoSession(auth);
}

/** What travels through the hosted UI and back with the state: where to return to. */
interface SignInState {
  returnTo: string;
}

/** The hosted UI's endpoints, given rather than discovered: no request before the first redirect. */
export function cognitoUserManager(auth: CognitoAuthConfig, origin: string): UserManager {
  return new UserManager({
    authority: auth.issuer,
    client_id: auth.clientId,
    redirect_uri: `${origin}${PORTAL_CALLBACK_PATH}`,
    response_type: 'code',
    scope: auth.scopes.join(' '),
    metadata: {
      issuer: auth.issuer,
      authorization_endpoint: `${auth.domain}/oauth2/authorize`,
      token_endpoint: `${auth.domain}/oauth2/token`,
      revocation_endpoint: `${auth.domain}/oauth2/revoke`,
    },
    // Tokens in this page's memory only; the PKCE verifier and state survive the redirect in
    // sessionStorage (the library's default would be localStorage) and are removed on the way back.
    userStore: new WebStorageStateStore({ store: new InMemoryWebStorage() }),
    stateStore: new WebStorageStateStore({ store: window.sessionStorage, prefix: 'idgov.signin.' }),
    loadUserInfo: false,
    // No hidden iframe (the portal's CSP forbids framing) and no timers: authorize() renews on demand.
    automaticSilentRenew: false,
    monitorSession: false,
  });
}

async function startCognitoSession(auth: CognitoAuthConfig): Promise<Session> {
  const origin = window.location.origin;
  const manager = cognitoUserManager(auth, origin);
  let user: User | null = null;
  let redirecting = false;

  const signIn = (returnTo: string): void => {
    if (redirecting) return;
    redirecting = true;
    void manager.signinRedirect({ state: { returnTo: safePath(returnTo) } satisfies SignInState });
  };
  const here = () => `${window.location.pathname}${window.location.search}${window.location.hash}`;

  if (window.location.pathname === PORTAL_CALLBACK_PATH) {
    const params = new URLSearchParams(window.location.search);
    if (params.has('error')) {
      await manager.clearStaleState();
      throw new Error(`Sign-in failed: ${params.get('error_description') ?? params.get('error')}`);
    }
    try {
      user = await manager.signinRedirectCallback();
    } catch (error) {
      throw new Error(`Sign-in could not be completed (${(error as Error).message}). Open the portal again to sign in.`);
    }
    const state = user.state as SignInState | undefined;
    window.history.replaceState(null, '', safePath(state?.returnTo ?? '/'));
  }

  let renewing: Promise<User | null> | undefined;
  const currentUser = async (): Promise<User | null> => {
    if (user && secondsLeft(user) > RENEW_SECONDS_BEFORE_EXPIRY) return user;
    if (user?.refresh_token) {
      renewing ??= manager.signinSilent().then(
        (renewed) => renewed,
        () => null,
      );
      user = await renewing;
      renewing = undefined;
      if (user && secondsLeft(user) > 0) return user;
    }
    return null;
  };

  return {
    authorize: async (headers) => {
      const signedIn = await currentUser();
      if (!signedIn) {
        signIn(here());
        // The browser is leaving for the hosted UI: the request waits for ever rather than fail.
        await new Promise<never>(() => {});
        return;
      }
      headers.set('authorization', `Bearer ${signedIn.id_token}`);
    },
    signIn,
    signOut: () => {
      user = null;
      void manager.removeUser().finally(() => {
        const logout = new URL(`${auth.domain}/logout`);
        logout.searchParams.set('client_id', auth.clientId);
        logout.searchParams.set('logout_uri', `${origin}${PORTAL_SIGNED_OUT_PATH}`);
        window.location.assign(logout.toString());
      });
    },
  };
}

/** Seconds until the ID token (or the token response, if sooner) expires. */
function secondsLeft(user: User): number {
  const now = Date.now() / 1000;
  const claims = jwtClaims(user.id_token);
  const exp = Math.min(user.expires_at ?? Infinity, typeof claims?.exp === 'number' ? claims.exp : Infinity);
  return user.id_token && Number.isFinite(exp) ? exp - now : 0;
}

/** The payload of a JWT, unverified (the API verifies it; the page only reads when it expires). */
function jwtClaims(token: string | undefined): Record<string, unknown> | undefined {
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const binary = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    return JSON.parse(new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)))) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}

/** A path of this site only (the state comes back through the browser). */
function safePath(path: string): string {
  return path.startsWith('/') && !path.startsWith('//') && !path.startsWith('/\\') ? path : '/';
}
