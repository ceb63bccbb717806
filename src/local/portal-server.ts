// The approver portal on the local server (`idgov api serve`): the built page, its configuration,
// and a sign-in that exists only here. There is no Cognito locally: the sign-in page lists the
// directory's users and sets a cookie naming the one to act as (`/?as=USER_ID` does it in one
// step). The API takes that cookie as the caller when no X-Idgov-User header is sent. None of this
// is deployed: the deployed portal signs in through the Cognito hosted UI.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { buildPortal, type PortalFile } from '../portal/build.js';
import { PORTAL_ASSETS_PREFIX, PORTAL_CONFIG_PATH, PORTAL_ROUTES, type PortalConfig } from '../portal/contract.js';
import type { User } from '../../lambdas/shared/domain/model.js';
import type { DirectoryStore } from '../../lambdas/shared/use-cases/ports.js';

/** Names the local caller; HttpOnly and SameSite=Strict, so neither scripts nor other sites use it. */
export const USER_COOKIE = 'idgov_user';
export const LOCAL_SIGN_IN_PATH = '/local/sign-in';
export const LOCAL_SIGN_OUT_PATH = '/local/sign-out';
/** The sign-in page lists at most this many users (a search narrows it). */
const SIGN_IN_LIST_LIMIT = 200;

/**
 * The same policy as the deployed portal's, with the API on the page's own origin. The sign-in page
 * shares it: no inline script or style anywhere.
 */
export const LOCAL_PORTAL_HEADERS: Record<string, string> = {
  'content-security-policy':
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; " +
    "manifest-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'",
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
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
  if (path === LOCAL_SIGN_OUT_PATH) {
    redirect(res, LOCAL_SIGN_IN_PATH, `${USER_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`);
    return true;
  }
  if (path === LOCAL_SIGN_IN_PATH) {
    const userId = url.searchParams.get('user');
    const returnTo = safeReturnTo(url.searchParams.get('returnTo'));
    if (userId !== null) await signInAs(res, method, directory, userId, returnTo);
    else await signInPage(res, method, directory, url.searchParams.get('q') ?? '', returnTo);
    return true;
  }
  if (path === '/' && url.searchParams.has('as')) {
    await signInAs(res, method, directory, url.searchParams.get('as') ?? '', '/');
    return true;
  }
  if (path === '/' || isNavigation(req, path)) {
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
    await signInPage(res, method, directory, '', returnTo, reason, 403);
    return;
  }
  redirect(res, returnTo, `${USER_COOKIE}=${encodeURIComponent(user.id)}; Path=/; HttpOnly; SameSite=Strict`);
}

function redirect(res: ServerResponse, location: string, cookie: string): void {
  res.writeHead(303, { location, 'set-cookie': cookie, 'cache-control': 'no-store', 'content-length': 0 });
  res.end();
}

async function signInPage(
  res: ServerResponse,
  method: string,
  directory: DirectoryStore,
  query: string,
  returnTo: string,
  error?: string,
  status = 200,
): Promise<void> {
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
      return `<li><a href="${escapeHtml(href)}">${escapeHtml(u.displayName)}</a> <span class="muted">${escapeHtml(u.id)}${u.department ? ` · ${escapeHtml(u.department)}` : ''}</span></li>`;
    })
    .join('\n');
  const html = `<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Sign in (local) · Access reviews</title></head>
<body>
<main>
<h1>Sign in (local)</h1>
<p>This page exists only on the local server: choose the directory user to act as. The deployed portal signs in through Cognito.</p>
${error ? `<p role="alert">${escapeHtml(error)}</p>` : ''}
<form method="get" action="${LOCAL_SIGN_IN_PATH}">
<input type="hidden" name="returnTo" value="${escapeHtml(returnTo)}">
<label for="q">Find a user</label> <input id="q" name="q" type="search" value="${escapeHtml(query)}"> <button type="submit">Search</button>
</form>
<ul aria-label="Directory users">
${rows || '<li>No active user matches.</li>'}
</ul>
${more ? `<p>Showing the first ${SIGN_IN_LIST_LIMIT}; search to narrow the list.</p>` : ''}
</main>
</body>
</html>`;
  send(res, method, status, 'text/html; charset=utf-8', html, { 'cache-control': 'no-store', ...LOCAL_PORTAL_HEADERS });
}

function send(res: ServerResponse, method: string, status: number, contentType: string, body: string | Uint8Array, headers: Record<string, string> = {}): void {
  const bytes = typeof body === 'string' ? Buffer.from(body) : body;
  res.writeHead(status, { 'content-type': contentType, 'content-length': bytes.byteLength, ...headers });
  res.end(method === 'HEAD' ? undefined : bytes);
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}
