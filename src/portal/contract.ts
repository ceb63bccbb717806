// What the approver portal's single page needs from whoever serves it: the configuration file it
// reads at start, and the paths it owns. The local server (src/local/portal-server.ts) and the CDK
// hosting (lib/constructs/approver-portal.ts) both produce this configuration; the page
// (src/portal/app/) reads it. Types and constants only.

/** Where the page fetches its configuration from, relative to the portal's origin. */
export const PORTAL_CONFIG_PATH = '/config.json';

/** Static files the build emits live under this prefix; everything else is the page's own routes. */
export const PORTAL_ASSETS_PREFIX = '/assets/';

/**
 * The page's own routes (browser navigation serves index.html for each). The mails link to
 * `/tasks` and `/entries/{id}`; `/callback` ends the hosted sign-in.
 */
export const PORTAL_ROUTES = ['/', '/tasks', '/entries/:id', '/campaigns', '/campaigns/:id', '/callback', '/signed-out'] as const;

/**
 * Local only (idgov api serve): a sign-in page that lists directory users to act as. The page
 * never builds this itself: it goes where `signInUrl` says.
 */
export interface LocalAuthConfig {
  kind: 'local';
  /** Where to send a visitor with no identity (the local server's user list). */
  signInUrl: string;
  /** Ends the local identity (clears the cookie) and returns to the sign-in page. */
  signOutUrl: string;
}

/** Deployed: the Cognito hosted UI, authorization-code flow with PKCE; tokens kept in memory only. */
export interface CognitoAuthConfig {
  kind: 'cognito';
  /** The hosted UI's base URL, e.g. https://idgov-123.auth.eu-west-1.amazoncognito.com (no trailing slash). */
  domain: string;
  /** The user pool app client (public: no secret). */
  clientId: string;
  /** The ID token's issuer, https://cognito-idp.<region>.amazonaws.com/<poolId>. */
  issuer: string;
  /** Scopes asked for: openid, email and profile. */
  scopes: string[];
}

export type PortalAuthConfig = LocalAuthConfig | CognitoAuthConfig;

export interface PortalConfig {
  /** The approver API's base URL without a trailing slash; '' means the portal's own origin (local server). */
  apiUrl: string;
  auth: PortalAuthConfig;
}

/** Cognito sends the browser back here with `?code=&state=` (an app client callback URL). */
export const PORTAL_CALLBACK_PATH = '/callback';
/** Cognito's logout returns here (an app client sign-out URL). */
export const PORTAL_SIGNED_OUT_PATH = '/signed-out';
