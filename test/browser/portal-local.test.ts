// The local server's portal: the page at /, its configuration, and the sign-in that exists only
// locally (the user list, /?as=USER_ID, the cookie the API then takes as the caller).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { useEngine } from '../support/engine.js';
import { hasChromium, launchChromium, newContext, recordForeignRequests, startPortalWorld, type PortalWorld } from '../support/portal.js';

const engine = useEngine();

describe('the portal on the local server', () => {
  let world: PortalWorld;
  beforeAll(async () => {
    world = await startPortalWorld(engine);
  });
  afterAll(async () => world?.close());

  it('serves the page for navigations and the API for JSON, on the same paths', async () => {
    const page = await fetch(`${world.url}/tasks?approver=mgr-fin`, { headers: { accept: 'text/html' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(await page.text()).toMatch(/<script type="module" src="\/assets\/portal-[A-Z0-9]+\.js"><\/script>/);

    const api = await fetch(`${world.url}/tasks`, { headers: { accept: 'application/json', 'x-idgov-user': 'mgr-fin' } });
    expect(api.status).toBe(200);
    expect(((await api.json()) as { caller: { id: string } }).caller.id).toBe('mgr-fin');

    const config = await (await fetch(`${world.url}/config.json`)).json();
    expect(config).toEqual({ apiUrl: '', auth: { kind: 'local', signInUrl: '/local/sign-in', signOutUrl: '/local/sign-out' } });
  });

  it('signs in by cookie: /?as= sets it, the API takes it, an unknown user is refused and gets none', async () => {
    const signIn = await fetch(`${world.url}/?as=mgr-fin`, { redirect: 'manual' });
    expect(signIn.status).toBe(303);
    expect(signIn.headers.get('location')).toBe('/');
    const cookie = signIn.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^idgov_user=mgr-fin; .*HttpOnly/);
    const tasks = await fetch(`${world.url}/tasks`, { headers: { accept: 'application/json', cookie: cookie.split(';')[0]! } });
    expect(((await tasks.json()) as { caller: { id: string } }).caller.id).toBe('mgr-fin');

    const refused = await fetch(`${world.url}/?as=nobody`, { redirect: 'manual' });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('set-cookie')).toBeNull();
    expect(await refused.text()).toContain('nobody is not a user of the directory');

    const offsite = await fetch(`${world.url}/local/sign-in?user=mgr-fin&returnTo=//evil.example`, { redirect: 'manual' });
    expect(offsite.headers.get('location')).toBe('/');
  });

  it('lists active directory users on the local sign-in page, and a search narrows it', async () => {
    const all = await (await fetch(`${world.url}/local/sign-in`)).text();
    expect(all).toContain('Finn Manager');
    expect(all).toContain('Olivia Owner');
    const narrowed = await (await fetch(`${world.url}/local/sign-in?q=olivia`)).text();
    expect(narrowed).toContain('Olivia Owner');
    expect(narrowed).not.toContain('Finn Manager');
  });

  describe.skipIf(!hasChromium)('in Chromium', () => {
    let browser: Browser;
    beforeAll(async () => {
      browser = await launchChromium();
    });
    afterAll(async () => browser?.close());

    it('a visitor with no identity is sent to the sign-in page, picks a user and lands on their tasks', async () => {
      const context = await newContext(browser);
      const page = await context.newPage();
      const foreign = recordForeignRequests(page, world.url);
      await page.goto(`${world.url}/tasks`);
      await page.waitForURL(/\/local\/sign-in/);
      await page.getByRole('link', { name: 'Finn Manager' }).click();
      await expect.poll(() => page.url()).toBe(`${world.url}/tasks`);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).first().textContent()).toContain('My tasks');
      expect(foreign).toEqual([]);
      await context.close();
    });

    it('after the hosted sign-out the page says so and asks the API nothing (it would sign in again)', async () => {
      const context = await newContext(browser);
      const page = await context.newPage();
      const requests: string[] = [];
      page.on('request', (request) => requests.push(new URL(request.url()).pathname));
      await page.goto(`${world.url}/signed-out`);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('You have signed out');
      expect(await page.getByRole('link', { name: 'Sign in again' }).getAttribute('href')).toBe('/tasks');
      expect(requests.filter((path) => !path.startsWith('/assets/') && path !== '/signed-out')).toEqual([]);
      await context.close();
    });

    it('a portal that cannot read its configuration says so in words instead of a blank page', async () => {
      const context = await newContext(browser);
      const page = await context.newPage();
      await page.route('**/config.json', (route) => route.fulfill({ status: 503, body: 'unavailable' }));
      await page.goto(`${world.url}/tasks`);
      await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('The portal could not start');
      expect(await page.getByRole('alert').textContent()).toContain('/config.json: 503');
      await context.close();
    });
  });
});
