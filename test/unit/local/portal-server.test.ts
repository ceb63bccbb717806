// The local server's share of the portal (src/local/portal-server.ts) over HTTP, without an engine:
// which requests are the portal's and which the API's, HEAD, caching, unknown assets, the local
// sign-in and sign-out, `?as=` on any page, and the sign-in page's list.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { User } from '../../../lambdas/shared/domain/model.js';
import type { DirectoryStore } from '../../../lambdas/shared/use-cases/ports.js';
import { portalFiles, servePortal } from '../../../src/local/portal-server.js';
import { portalContentSecurityPolicy } from '../../../src/portal/security-headers.js';

const user = (id: string, displayName: string, extra: Partial<User> = {}): User => ({ id, displayName, email: `${id}@example.com`, status: 'ACTIVE', ...extra });

const USERS: User[] = [
  user('mgr-fin', 'Finn Manager', { department: 'Finance', riskLevel: 'LOW' }),
  user('gone', 'Gina Gone', { status: 'DISABLED' }),
  user('odd', '<b>Odd</b> & "Co"'),
  ...Array.from({ length: 230 }, (_, i) => user(`u-${String(i).padStart(3, '0')}`, `Person ${i}`, { department: 'Sales' })),
];

/** The two reads the portal server makes of the directory. */
const directory = {
  getUser: async (id: string) => USERS.find((u) => u.id === id),
  listUsers: async function* () {
    for (let i = 0; i < USERS.length; i += 100) yield USERS.slice(i, i + 100);
  },
} as unknown as DirectoryStore;

describe('the local portal server', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((req, res) => {
      void servePortal(req, res, directory).then((served) => {
        // What the API would answer: marked so that the tests see who answered.
        if (!served) res.writeHead(418, { 'x-answered-by': 'api' }).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const get = (path: string, init: RequestInit = {}) => fetch(`${base}${path}`, { redirect: 'manual', ...init });
  const html = { accept: 'text/html,application/xhtml+xml' };
  const asset = () => [...portalFiles().values()].find((f) => f.path.endsWith('.js'))!;

  it('answers HEAD like GET without a body, for the page, an asset and the configuration', async () => {
    for (const path of ['/', asset().path, '/config.json', '/local/sign-in']) {
      const [head, full] = [await get(path, { method: 'HEAD', headers: html }), await get(path, { headers: html })];
      const body = await full.arrayBuffer();
      expect(head.status, path).toBe(200);
      expect(head.headers.get('content-type'), path).toBe(full.headers.get('content-type'));
      expect(Number(head.headers.get('content-length')), path).toBe(body.byteLength);
      expect((await head.arrayBuffer()).byteLength, path).toBe(0);
    }
  });

  it('caches hashed assets for ever and never the page or its configuration', async () => {
    const script = await get(asset().path);
    expect(script.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(Buffer.from(await script.arrayBuffer()).equals(Buffer.from(asset().contents))).toBe(true);
    const page = await get('/campaigns/c-1', { headers: html });
    expect(page.headers.get('cache-control')).toBe('no-store');
    expect(page.headers.get('content-security-policy')).toBe(portalContentSecurityPolicy([]));
    expect(page.headers.get('x-frame-options')).toBe('DENY');
    expect((await get('/config.json')).headers.get('cache-control')).toBe('no-store');
  });

  it('answers 404 for an unknown asset, even to a browser, and leaves other unknown paths to the API', async () => {
    const missing = await get('/assets/portal-NOPE.js', { headers: html });
    expect(missing.status).toBe(404);
    expect(await missing.text()).toBe('no file /assets/portal-NOPE.js');
    const unknownPage = await get('/nowhere', { headers: html });
    expect(unknownPage.headers.get('x-answered-by')).toBe('api');
  });

  it('leaves writes, JSON requests and callers naming a user to the API, on the portal paths too', async () => {
    for (const [path, init] of [
      ['/tasks', { method: 'POST', headers: html }],
      ['/tasks', { headers: { accept: 'application/json' } }],
      ['/campaigns', { headers: { ...html, 'x-idgov-user': 'mgr-fin' } }],
      ['/entries/e-1?as=mgr-fin', { headers: { accept: 'application/json' } }],
    ] as const) {
      const answer = await get(path, init);
      expect(answer.headers.get('x-answered-by'), `${init.method ?? 'GET'} ${path}`).toBe('api');
    }
  });

  it('signs in with ?as= on any page of the portal and comes back to it without the parameter', async () => {
    const answer = await get('/entries/e-1?as=mgr-fin&tab=items', { headers: html });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/entries/e-1?tab=items');
    expect(answer.headers.get('set-cookie')).toBe('idgov_user=mgr-fin; Path=/; HttpOnly; SameSite=Strict');

    const disabled = await get('/?as=gone', { headers: html });
    expect(disabled.status).toBe(403);
    expect(disabled.headers.get('set-cookie')).toBeNull();
    expect(await disabled.text()).toContain('gone is DISABLED');
  });

  it('sends only to paths of this site after signing in', async () => {
    for (const returnTo of ['//evil.example/x', '/\\evil.example', 'https://evil.example/']) {
      const answer = await get(`/local/sign-in?user=mgr-fin&returnTo=${encodeURIComponent(returnTo)}`);
      expect(answer.headers.get('location'), returnTo).toBe('/');
    }
    const kept = await get(`/local/sign-in?user=mgr-fin&returnTo=${encodeURIComponent('/campaigns/c-1')}`);
    expect(kept.headers.get('location')).toBe('/campaigns/c-1');
  });

  it('signs out: clears the cookie and goes back to the sign-in page', async () => {
    const answer = await get('/local/sign-out', { headers: { cookie: 'idgov_user=mgr-fin' } });
    expect(answer.status).toBe(303);
    expect(answer.headers.get('location')).toBe('/local/sign-in');
    expect(answer.headers.get('set-cookie')).toBe('idgov_user=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0');
  });

  it('lists active users (escaped, at most 200, a search narrows), says who is signed in, and has its own stylesheet', async () => {
    const page = await (await get('/local/sign-in?returnTo=/tasks', { headers: { cookie: 'idgov_user=mgr-fin' } })).text();
    expect(page).toContain('You are acting as <strong>Finn Manager (mgr-fin)</strong>');
    expect(page).toContain('<a href="/local/sign-out">sign out</a>');
    expect(page).toContain('&lt;b&gt;Odd&lt;/b&gt; &amp; &quot;Co&quot;');
    expect(page).not.toContain('<b>Odd</b>');
    expect(page).not.toContain('Gina Gone');
    expect(page.match(/<li><a /g)).toHaveLength(200);
    expect(page).toContain('Showing the first 200; search to narrow the list.');
    expect(page).toContain('href="/local/sign-in?user=mgr-fin&amp;returnTo=%2Ftasks"');

    const narrowed = await (await get('/local/sign-in?q=finance')).text();
    expect(narrowed.match(/<li><a /g)).toHaveLength(1);
    expect(narrowed).toContain('mgr-fin · Finance · risk LOW');
    expect(narrowed).not.toContain('You are acting as');

    const sheet = await get('/local/sign-in.css');
    expect(sheet.status).toBe(200);
    expect(sheet.headers.get('content-type')).toBe('text/css; charset=utf-8');
    expect(page).toContain('<link rel="stylesheet" href="/local/sign-in.css">');
  });
});
