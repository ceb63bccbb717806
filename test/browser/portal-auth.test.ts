// The deployed sign-in, for real in Chromium: the built portal with a config.json of kind 'cognito'
// points at a fake hosted UI (an OAuth 2.0 authorization server on node:http that checks PKCE as
// Cognito does) and at an API stub that, like the API's JWT authorizer, wants the ID token as a
// bearer token. The page must use the authorization-code flow with PKCE (S256), keep its tokens out
// of localStorage and sessionStorage, and send `Authorization: Bearer <ID token>` to the API.
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import type { PortalConfig } from '../../src/portal/contract.js';
import { buildPortal } from '../../src/portal/build.js';
import { hasChromium, launchChromium, newContext, recordForeignRequests } from '../support/portal.js';

const CLIENT_ID = 'portal-app-client';

interface AuthorizeRequest {
  responseType: string | null;
  clientId: string | null;
  redirectUri: string | null;
  scope: string | null;
  codeChallenge: string | null;
  codeChallengeMethod: string | null;
}

interface TokenRequest {
  grantType: string | null;
  /** authorization_code: the verifier's S256 hash equalled the challenge the code was issued for. */
  verifierMatched?: boolean;
}

/** The hosted UI's OAuth endpoints, as Cognito answers them (its sign-in form skipped: it has a session). */
class FakeHostedUi {
  readonly authorizeRequests: AuthorizeRequest[] = [];
  readonly tokenRequests: TokenRequest[] = [];
  readonly logouts: URLSearchParams[] = [];
  /** Every ID token issued, newest last. */
  readonly idTokens: string[] = [];
  /** Lifetime of the tokens of the next code exchange (a refresh always gets an hour). */
  firstTokenSeconds = 3600;
  portalOrigin = '';
  private readonly codes = new Map<string, { challenge: string; method: string; redirectUri: string }>();
  /** Refresh token → the sign-in's time, which a renewed ID token keeps (auth_time), as Cognito's does. */
  private readonly refreshTokens = new Map<string, number>();
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    this.url = await listen(this.server);
  }

  stop = () => close(this.server);

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    if (url.pathname === '/oauth2/authorize' && req.method === 'GET') {
      const p = url.searchParams;
      const request: AuthorizeRequest = {
        responseType: p.get('response_type'),
        clientId: p.get('client_id'),
        redirectUri: p.get('redirect_uri'),
        scope: p.get('scope'),
        codeChallenge: p.get('code_challenge'),
        codeChallengeMethod: p.get('code_challenge_method'),
      };
      this.authorizeRequests.push(request);
      // Cognito refuses what it does not support; this one supports the code flow with S256 only.
      if (request.responseType !== 'code' || request.clientId !== CLIENT_ID || request.codeChallengeMethod !== 'S256' || !request.codeChallenge || !request.redirectUri) {
        return void text(res, 400, 'invalid_request');
      }
      const code = randomBytes(16).toString('hex');
      this.codes.set(code, { challenge: request.codeChallenge, method: request.codeChallengeMethod, redirectUri: request.redirectUri });
      const back = new URL(request.redirectUri);
      back.searchParams.set('code', code);
      back.searchParams.set('state', p.get('state') ?? '');
      res.writeHead(302, { location: back.toString() }).end();
      return;
    }
    if (url.pathname === '/oauth2/token') {
      const cors = { 'access-control-allow-origin': this.portalOrigin, 'access-control-allow-headers': 'content-type, authorization', 'access-control-allow-methods': 'POST' };
      if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
      const form = new URLSearchParams(await body(req));
      const request: TokenRequest = { grantType: form.get('grant_type') };
      this.tokenRequests.push(request);
      if (form.get('client_id') !== CLIENT_ID) return void json(res, 400, { error: 'invalid_client' }, cors);
      if (request.grantType === 'authorization_code') {
        const issued = this.codes.get(form.get('code') ?? '');
        this.codes.delete(form.get('code') ?? '');
        const verifier = form.get('code_verifier') ?? '';
        request.verifierMatched = !!issued && issued.method === 'S256' && createHash('sha256').update(verifier).digest('base64url') === issued.challenge;
        if (!issued || !request.verifierMatched || form.get('redirect_uri') !== issued.redirectUri) return void json(res, 400, { error: 'invalid_grant' }, cors);
        return void json(res, 200, this.tokens(this.firstTokenSeconds, Math.floor(Date.now() / 1000), true), cors);
      }
      const signedInAt = this.refreshTokens.get(form.get('refresh_token') ?? '');
      if (request.grantType === 'refresh_token' && signedInAt !== undefined) {
        return void json(res, 200, this.tokens(3600, signedInAt, false), cors);
      }
      return void json(res, 400, { error: 'unsupported_grant_type' }, cors);
    }
    if (url.pathname === '/logout') {
      this.logouts.push(url.searchParams);
      res.writeHead(302, { location: url.searchParams.get('logout_uri') ?? '/' }).end();
      return;
    }
    text(res, 404, 'not found');
  }

  /** A well-formed ID token (unsigned: the API stub trusts its issuer, the page never checks signatures). */
  private tokens(seconds: number, authTime: number, withRefresh: boolean) {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: '7d1f-finn', iss: this.url, aud: CLIENT_ID, token_use: 'id', auth_time: authTime, iat: now, exp: now + seconds, email: 'mgr-fin@example.com', 'cognito:username': 'mgr-fin', jti: randomBytes(6).toString('hex') };
    const idToken = [{ alg: 'RS256', kid: 'fake-key' }, claims].map((part) => Buffer.from(JSON.stringify(part)).toString('base64url')).join('.') + '.' + Buffer.from('not-signed').toString('base64url');
    this.idTokens.push(idToken);
    const refreshToken = randomBytes(24).toString('hex');
    if (withRefresh) this.refreshTokens.set(refreshToken, authTime);
    return {
      id_token: idToken,
      access_token: `access-${randomBytes(12).toString('hex')}`,
      token_type: 'Bearer',
      expires_in: seconds,
      ...(withRefresh ? { refresh_token: refreshToken } : {}),
    };
  }
}

/** The approver API as the page sees it deployed: another origin, CORS for the portal, a bearer ID token required. */
class ApiStub {
  readonly authorizations: string[] = [];
  portalOrigin = '';
  validTokens: () => string[] = () => [];
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => this.handle(req, res));
    this.url = await listen(this.server);
  }

  stop = () => close(this.server);

  private handle(req: IncomingMessage, res: ServerResponse): void {
    const cors = { 'access-control-allow-origin': this.portalOrigin, 'access-control-allow-headers': 'authorization, content-type', 'access-control-allow-methods': 'GET, POST' };
    if (req.method === 'OPTIONS') return void res.writeHead(204, cors).end();
    const authorization = req.headers.authorization ?? '';
    this.authorizations.push(authorization);
    const token = /^Bearer (.+)$/.exec(authorization)?.[1];
    if (!token || !this.validTokens().includes(token)) return void json(res, 401, { message: 'Unauthorized' }, cors);
    const path = new URL(req.url ?? '/', this.url).pathname;
    const asOf = new Date().toISOString();
    const caller = { id: 'mgr-fin', displayName: 'Finn Manager' };
    if (path === '/me') return void json(res, 200, { ...caller, email: 'mgr-fin@example.com', isApprover: false, isCampaignOwner: false, asOf }, cors);
    if (path === '/tasks') return void json(res, 200, { caller, asOf, tasks: [] }, cors);
    if (path === '/campaigns') return void json(res, 200, { owner: caller, asOf, campaigns: [] }, cors);
    json(res, 404, { error: { code: 'NOT_FOUND', message: `no route ${path}` } }, cors);
  }
}

/** The portal's hosting (CloudFront and S3 in the deployment): the built files, config.json, the page for every route. */
async function startPortalHost(config: () => PortalConfig): Promise<{ url: string; stop: () => Promise<void> }> {
  const files = new Map(buildPortal().map((file) => [file.path, file]));
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://127.0.0.1').pathname;
    if (path === '/config.json') return void json(res, 200, config());
    const file = files.get(path) ?? (path.startsWith('/assets/') ? undefined : files.get('/index.html'));
    if (!file) return void text(res, 404, 'not found');
    const { auth, apiUrl } = config();
    const csp = `default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' ${apiUrl} ${auth.kind === 'cognito' ? auth.domain : ''}; frame-ancestors 'none'; base-uri 'none'; form-action 'self'`;
    res.writeHead(200, { 'content-type': file.contentType, 'content-security-policy': csp }).end(Buffer.from(file.contents));
  });
  const url = await listen(server);
  return { url, stop: () => close(server) };
}

describe.skipIf(!hasChromium)('deployed sign-in: Cognito hosted UI, authorization code with PKCE, tokens in memory', () => {
  const hostedUi = new FakeHostedUi();
  const api = new ApiStub();
  let portal: { url: string; stop: () => Promise<void> };
  let browser: Browser;

  beforeAll(async () => {
    await hostedUi.start();
    await api.start();
    api.validTokens = () => hostedUi.idTokens;
    portal = await startPortalHost(() => ({
      apiUrl: api.url,
      auth: { kind: 'cognito', domain: hostedUi.url, clientId: CLIENT_ID, issuer: hostedUi.url, scopes: ['openid', 'email', 'profile'] },
    }));
    hostedUi.portalOrigin = api.portalOrigin = portal.url;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await portal?.stop();
    await api.stop();
    await hostedUi.stop();
  });
  // A test that failed left its page open, still signing in or renewing: it must not reach the next test's records.
  afterEach(async () => {
    for (const context of browser.contexts()) await context.close();
  });
  beforeEach(() => {
    hostedUi.firstTokenSeconds = 3600;
    for (const list of [hostedUi.authorizeRequests, hostedUi.tokenRequests, hostedUi.idTokens, hostedUi.logouts, api.authorizations] as unknown[][]) list.length = 0;
  });

  /** Every value the page's origin keeps in Web Storage. */
  const webStorage = (page: Page) =>
    page.evaluate(() => {
      interface WebStorage {
        length: number;
        key(i: number): string | null;
        getItem(key: string): string | null;
      }
      const { localStorage, sessionStorage } = globalThis as unknown as { localStorage: WebStorage; sessionStorage: WebStorage };
      const dump = (storage: WebStorage) => Object.fromEntries(Array.from({ length: storage.length }, (_, i) => storage.key(i)!).map((k) => [k, storage.getItem(k)]));
      return { local: dump(localStorage), session: dump(sessionStorage) };
    });

  it('signs in with the code flow and S256 PKCE, calls the API with the ID token, and stores no token', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    const foreign = recordForeignRequests(page, portal.url);

    await signedInAt(page, `${portal.url}/tasks?approver=mgr-fin`);
    // Back where the visitor started, with the code and state gone from the address bar.
    expect(page.url()).toBe(`${portal.url}/tasks?approver=mgr-fin`);

    expect(hostedUi.authorizeRequests).toEqual([
      {
        responseType: 'code',
        clientId: CLIENT_ID,
        redirectUri: `${portal.url}/callback`,
        scope: 'openid email profile',
        codeChallenge: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
        codeChallengeMethod: 'S256',
      },
    ]);
    expect(hostedUi.tokenRequests).toEqual([{ grantType: 'authorization_code', verifierMatched: true }]);
    expect(hostedUi.idTokens).toHaveLength(1);
    const [idToken] = hostedUi.idTokens;
    expect(api.authorizations.length).toBeGreaterThan(0);
    expect(new Set(api.authorizations)).toEqual(new Set([`Bearer ${idToken}`]));

    const stored = await webStorage(page);
    const everything = JSON.stringify(stored);
    expect(everything).not.toContain(idToken!.split('.')[1]);
    expect(everything).not.toMatch(/access-[0-9a-f]{24}/);
    expect(everything).not.toMatch(/code_verifier|refresh_token|id_token/);
    expect(stored.local).toEqual({});
    // Only the hosted UI, the API and the portal itself were contacted.
    expect(new Set(foreign.map((u) => new URL(u).origin))).toEqual(new Set([hostedUi.url, api.url]));
    await context.close();
  });

  it('a reload loses the tokens: the hosted UI (its own session) sends the browser straight back to the same page', async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signedInAt(page, `${portal.url}/tasks`);
    expect(hostedUi.authorizeRequests).toHaveLength(1);

    const answered = tasksAnswered(page);
    await page.reload();
    await expect.poll(() => hostedUi.authorizeRequests.length, { timeout: 15_000 }).toBe(2);
    await answered;
    await tasksShown(page);
    expect(page.url()).toBe(`${portal.url}/tasks`);
    expect(hostedUi.idTokens).toHaveLength(2);
    expect(api.authorizations.at(-1)).toBe(`Bearer ${hostedUi.idTokens[1]}`);
    await context.close();
  });

  it("signs out through the hosted sign-in's logout, back to /signed-out, with the tokens forgotten", async () => {
    const context = await newContext(browser);
    const page = await context.newPage();
    await signedInAt(page, `${portal.url}/tasks`);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => hostedUi.logouts.length, { timeout: 15_000 }).toBe(1);
    expect(Object.fromEntries(hostedUi.logouts[0]!)).toEqual({ client_id: CLIENT_ID, logout_uri: `${portal.url}/signed-out` });
    // Back on the portal: it says so and asks nothing (a request would go straight to the sign-in again).
    await page.waitForURL(`${portal.url}/signed-out`);
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('You have signed out');
    const apiCalls = api.authorizations.length;
    expect(hostedUi.authorizeRequests).toHaveLength(1);
    // The tokens are forgotten: signing in again goes through the hosted sign-in.
    const answered = tasksAnswered(page);
    await page.getByRole('link', { name: 'Sign in again' }).click();
    await expect.poll(() => hostedUi.authorizeRequests.length, { timeout: 15_000 }).toBe(2);
    // The heading shows while the tasks load: the API's answer is what says the call was made.
    await answered;
    await tasksShown(page);
    expect(api.authorizations.length).toBeGreaterThan(apiCalls);
    expect(api.authorizations.at(-1)).toBe(`Bearer ${hostedUi.idTokens.at(-1)}`);
    await context.close();
  });

  it('an ID token about to expire is renewed with the refresh token, without leaving the page', async () => {
    hostedUi.firstTokenSeconds = 20;
    const context = await newContext(browser);
    const page = await context.newPage();
    await signedInAt(page, `${portal.url}/tasks`);

    expect(hostedUi.tokenRequests.map((r) => r.grantType)).toEqual(['authorization_code', 'refresh_token']);
    expect(hostedUi.authorizeRequests).toHaveLength(1);
    const [, renewed] = hostedUi.idTokens;
    expect(new Set(api.authorizations)).toEqual(new Set([`Bearer ${renewed}`]));
    expect(JSON.stringify(await webStorage(page))).not.toContain(renewed!.split('.')[1]);
    await context.close();
  });
});

/** The tasks page, signed in (the sign-in goes through two redirects and a token request first). */
const tasksShown = (page: Page) => page.getByRole('heading', { level: 1, name: 'My tasks' }).waitFor({ timeout: 15_000 });

/** The API stub has answered the page's GET /tasks: signed in, with the data on its way to the page. */
const tasksAnswered = (page: Page) =>
  page.waitForResponse((r) => r.request().resourceType() === 'fetch' && new URL(r.url()).pathname === '/tasks' && r.request().method() === 'GET' && r.status() === 200, { timeout: 15_000 });

/** Opens `url` and waits until the sign-in is done and the tasks are shown. */
async function signedInAt(page: Page, url: string): Promise<void> {
  const answered = tasksAnswered(page);
  await page.goto(url);
  await answered;
  await tasksShown(page);
}

function listen(server: Server): Promise<string> {
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`)));
}

function close(server: Server): Promise<void> {
  return new Promise((resolve) => {
    server.close(() => resolve());
    server.closeAllConnections();
  });
}

async function body(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function json(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store', ...headers }).end(JSON.stringify(value));
}

function text(res: ServerResponse, status: number, value: string): void {
  res.writeHead(status, { 'content-type': 'text/plain' }).end(value);
}
