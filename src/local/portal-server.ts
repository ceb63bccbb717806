// The approver portal on the local server (`idgov api serve`): the built page, its configuration,
// and a sign-in that exists only here. There is no Cognito locally: the sign-in page lists the
// directory's users and sets a cookie naming the one to act as (`?as=USER_ID` on any page's address
// does it in one step). The API takes that cookie as the caller when no X-Idgov-User header is sent. None of this
// is deployed: the deployed portal signs in through the Cognito hosted UI.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildPortal, type PortalFile } from '../portal/build.js';
import { PORTAL_ASSETS_PREFIX, PORTAL_CONFIG_PATH, PORTAL_ROUTES, type PortalConfig } from '../portal/contract.js';
import { PORTAL_SECURITY_HEADERS, portalContentSecurityPolicy } from '../portal/security-headers.js';
import type { User } from '../../lambdas/shared/domain/model.js';
import type { DirectoryStore } from '../../lambdas/shared/use-cases/ports.js';

/** Names the local caller; HttpOnly and SameSite=Strict, so neither scripts nor other sites use it. */
export const USER_COOKIE = 'idgov_user';
export const LOCAL_SIGN_IN_PATH = '/local/sign-in';
export const LOCAL_SIGN_OUT_PATH = '/local/sign-out';
/** The sign-in page's own stylesheet (the CSP allows no inline style). */
const SIGN_IN_STYLESHEET_PATH = '/local/sign-in.css';
/** `?as=USER_ID` on a page's address signs in as that user and reloads the page without it. */
const AS_PARAMETER = 'as';
/** The sign-in page lists at most this many users (a search narrows it). */
const SIGN_IN_LIST_LIMIT = 200;

/**
 * The deployed portal's policy and headers (src/portal/security-headers.ts), with the API on the
 * page's own origin. The sign-in page shares them: no inline script or style anywhere. No HSTS: the
 * local server speaks plain HTTP.
 */
export const LOCAL_PORTAL_HEADERS: Record<string, string> = {
  'content-security-policy': portalContentSecurityPolicy([]),
  'x-content-type-options': PORTAL_SECURITY_HEADERS.contentTypeOptions,
  'x-frame-options': PORTAL_SECURITY_HEADERS.frameOptions,
  'referrer-policy': PORTAL_SECURITY_HEADERS.referrerPolicy,
  'permissions-policy': PORTAL_SECURITY_HEADERS.permissionsPolicy,
  'cross-origin-opener-policy': PORTAL_SECURITY_HEADERS.crossOriginOpenerPolicy,
};

const LOCAL_CONFIG: PortalConfig = {
  apiUrl: '',
  auth: { kind: 'local', signInUrl: LOCAL_SIGN_IN_PATH, signOutUrl: LOCAL_SIGN_OUT_PATH },
};

let built: Map<string, PortalFile> | undefined;

/** The portal's files by URL path, built once per process (esbuild, about a tenth of a second). */
export function portalFiles(): Map<string, PortalFile> {
  built ??= new Map(buildPortal().map((file) => [file.path, file]));
  return built;
}

/** The user id the cookie names, if any. */
export function userFromCookie(cookieHeader: string | undefined): string | undefined {
  for (const part of (cookieHeader ?? '').split(';')) {
    const [name, ...rest] = part.trim().split('=');
    if (name === USER_COOKIE) {
      const value = decodeURIComponent(rest.join('='));
      return value === '' ? undefined : value;
    }
  }
  return undefined;
}

const ROUTE_PATTERNS = PORTAL_ROUTES.map((route) => new RegExp(`^${route.replace(/:[a-z]+/g, '[^/]+')}$`));

/** A browser opening a page (not the page's own fetch, which asks for JSON, nor a CLI client naming a user). */
function isNavigation(req: IncomingMessage, path: string): boolean {
  if (req.headers['x-idgov-user'] !== undefined) return false;
  if (!(req.headers.accept ?? '').includes('text/html')) return false;
  return ROUTE_PATTERNS.some((pattern) => pattern.test(path));
}

/**
 * Serves the request if it is the portal's; false hands it to the API. GET and HEAD only: every
 * write is the API's.
 */
export async function servePortal(req: IncomingMessage, res: ServerResponse, directory: DirectoryStore): Promise<boolean> {
  const method = req.method ?? 'GET';
  if (method !== 'GET' && method !== 'HEAD') return false;
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const path = url.pathname;
  const files = portalFiles();

  if (path.startsWith(PORTAL_ASSETS_PREFIX)) {
    const file = files.get(path);
    if (!file) return send(res, method, 404, 'text/plain; charset=utf-8', `no file ${path}`), true;
    send(res, method, 200, file.contentType, file.contents, { 'cache-control': 'public, max-age=31536000, immutable' });
    return true;
  }
  if (path === PORTAL_CONFIG_PATH) {
    send(res, method, 200, 'application/json; charset=utf-8', JSON.stringify(LOCAL_CONFIG), { 'cache-control': 'no-store' });
    return true;
  }
  if (path === SIGN_IN_STYLESHEET_PATH) {
    send(res, method, 200, 'text/css; charset=utf-8', SIGN_IN_CSS, { 'cache-control': 'no-store' });
    return true;
  }
  if (path === LOCAL_SIGN_OUT_PATH) {
    redirect(res, LOCAL_SIGN_IN_PATH, `${USER_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    return true;
  }
  if (path === LOCAL_SIGN_IN_PATH) {
    const userId = url.searchParams.get('user');
    const returnTo = safeReturnTo(url.searchParams.get('returnTo'));
    const current = userFromCookie(req.headers.cookie);
    if (userId !== null) await signInAs(res, method, directory, userId, returnTo);
    else await signInPage(res, method, directory, { query: url.searchParams.get('q') ?? '', returnTo, current });
    return true;
  }
  const navigation = path === '/' || isNavigation(req, path);
  if (navigation && url.searchParams.has(AS_PARAMETER)) {
    // `/?as=ID` (any page of the portal, e.g. a mail's /entries/… link): sign in, then the same page without `as`.
    const userId = url.searchParams.get(AS_PARAMETER) ?? '';
    url.searchParams.delete(AS_PARAMETER);
    await signInAs(res, method, directory, userId, `${path}${url.search}`);
    return true;
  }
  if (navigation) {
    const index = files.get('/index.html')!;
    send(res, method, 200, index.contentType, index.contents, { 'cache-control': 'no-store', ...LOCAL_PORTAL_HEADERS });
    return true;
  }
  return false;
}

/** Only a path of this site: never `//host` or a full URL (no open redirect). */
function safeReturnTo(value: string | null): string {
  return value && value.startsWith('/') && !value.startsWith('//') && !value.startsWith('/\\') ? value : '/';
}

async function signInAs(res: ServerResponse, method: string, directory: DirectoryStore, userId: string, returnTo: string): Promise<void> {
  const user = userId.trim() === '' ? undefined : await directory.getUser(userId.trim());
  if (!user || user.status !== 'ACTIVE') {
    const reason = !user ? `${userId || '(empty)'} is not a user of the directory` : `${user.id} is ${user.status}`;
    await signInPage(res, method, directory, { query: '', returnTo, error: reason, status: 403 });
    return;
  }
  redirect(res, returnTo, `${USER_COOKIE}=${encodeURIComponent(user.id)}; Path=/; HttpOnly; SameSite=Strict`);
}

function redirect(res: ServerResponse, location: string, cookie: string): void {
  res.writeHead(303, { location, 'set-cookie': cookie, 'cache-control': 'no-store', 'content-length': 0 });
  res.end();
}

interface SignInPageOptions {
  query: string;
  returnTo: string;
  /** Who the cookie names now, if anyone. */
  current?: string;
  error?: string;
  status?: number;
}

async function signInPage(res: ServerResponse, method: string, directory: DirectoryStore, options: SignInPageOptions): Promise<void> {
  const { query, returnTo, current, error, status = 200 } = options;
  const needle = query.trim().toLowerCase();
  const users: User[] = [];
  let more = false;
  for await (const page of directory.listUsers()) {
    for (const user of page) {
      if (user.status !== 'ACTIVE') continue;
      if (needle && !`${user.id} ${user.displayName} ${user.email} ${user.department ?? ''}`.toLowerCase().includes(needle)) continue;
      if (users.length === SIGN_IN_LIST_LIMIT) more = true;
      else users.push(user);
    }
    if (more) break;
  }
  const rows = users
    .map((u) => {
      const href = `${LOCAL_SIGN_IN_PATH}?user=${encodeURIComponent(u.id)}&returnTo=${encodeURIComponent(returnTo)}`;
      const detail = [u.id, u.department, u.riskLevel ? `risk ${u.riskLevel}` : undefined].filter(Boolean).join(' · ');
      return `<li><a href="${escapeHtml(href)}">${escapeHtml(u.displayName)}</a> <span class="muted">${escapeHtml(detail)}</span></li>`;
    })
    .join('\n');
  const acting = current ? await directory.getUser(current) : undefined;
  const signedIn = current
    ? `<p class="current">You are acting as <strong>${escapeHtml(acting ? `${acting.displayName} (${acting.id})` : current)}</strong>. <a href="${escapeHtml(returnTo)}">Continue</a> or <a href="${LOCAL_SIGN_OUT_PATH}">sign out</a>.</p>`
    : '';
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in (local) · Access reviews</title><link rel="stylesheet" href="${SIGN_IN_STYLESHEET_PATH}"></head>
<body>
<main>
<h1>Sign in (local)</h1>
<p class="note">This page exists only on the local server: choose the directory user to act as. The deployed portal signs in through Cognito.</p>
${signedIn}
${error ? `<p role="alert" class="error">${escapeHtml(error)}</p>` : ''}
<form method="get" action="${LOCAL_SIGN_IN_PATH}" role="search">
<input type="hidden" name="returnTo" value="${escapeHtml(returnTo)}">
<label for="q">Find a user</label> <input id="q" name="q" type="search" value="${escapeHtml(query)}"> <button type="submit">Search</button>
</form>
<h2 id="users">Directory users${needle ? ` matching “${escapeHtml(query.trim())}”` : ''}</h2>
<ul aria-labelledby="users">
${rows || '<li>No active user matches.</li>'}
</ul>
${more ? `<p>Showing the first ${SIGN_IN_LIST_LIMIT}; search to narrow the list.</p>` : ''}
</main>
</body>
</html>`;
  send(res, method, status, 'text/html; charset=utf-8', html, { 'cache-control': 'no-store', ...LOCAL_PORTAL_HEADERS });
}

/** Plain and readable at any width; contrast AA. */
const SIGN_IN_CSS = `
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #1f2328; background: #f6f8fa; }
main { max-width: 44rem; margin: 0 auto; padding: 1.5rem 1rem 3rem; }
h1 { font-size: 1.6rem; margin: 0 0 0.5rem; }
h2 { font-size: 1.1rem; margin: 1.5rem 0 0.5rem; }
.note, .muted { color: #57606a; }
.current { padding: 0.75rem 1rem; background: #ddf4ff; border: 1px solid #54aeff; border-radius: 0.375rem; }
.error { color: #a4001f; font-weight: 600; }
form { display: flex; flex-wrap: wrap; align-items: center; gap: 0.5rem; margin: 1rem 0; }
label { font-weight: 600; }
input[type=search] { flex: 1 1 12rem; font: inherit; padding: 0.4rem 0.5rem; border: 1px solid #57606a; border-radius: 0.375rem; }
button { font: inherit; padding: 0.4rem 1rem; border: 1px solid #0a58ca; border-radius: 0.375rem; background: #0a58ca; color: #fff; cursor: pointer; }
ul { list-style: none; margin: 0; padding: 0; background: #fff; border: 1px solid #d0d7de; border-radius: 0.5rem; }
li { padding: 0.6rem 1rem; border-top: 1px solid #d0d7de; }
li:first-child { border-top: 0; }
a { color: #0a58ca; font-weight: 600; }
a:focus-visible, button:focus-visible, input:focus-visible { outline: 3px solid #0a58ca; outline-offset: 2px; }
.muted { font-size: 0.9rem; }
`;

function send(res: ServerResponse, method: string, status: number, contentType: string, body: string | Uint8Array, headers: Record<string, string> = {}): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { 'content-type': contentType, 'content-length': bytes.byteLength, ...headers });
  res.end(method === 'HEAD' ? undefined : bytes);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
