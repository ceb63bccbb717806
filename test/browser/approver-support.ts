// What the approver portal's browser suites share: signing in as a directory user in a fresh
// context (recording any request that leaves the local server and any breach of the page's
// Content-Security-Policy), reading the API as a user, polling, focus and axe-core checks.
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';
import { newContext, recordForeignRequests, seriousAxeViolations, type PortalWorld } from '../support/portal.js';

/** Polls until the page catches up (the machine may be busy: longer than expect.poll's default second). */
export const eventually = <T>(fn: () => T | Promise<T>) => expect.poll(fn, { timeout: 10_000, interval: 50 });

/** The API as a given user sees it (the local server takes the X-Idgov-User header). */
export async function apiAs<T>(world: PortalWorld, userId: string, path: string): Promise<T> {
  const response = await fetch(`${world.url}${path}`, { headers: { accept: 'application/json', 'x-idgov-user': userId } });
  expect(response.status, `${path} as ${userId}`).toBe(200);
  return (await response.json()) as T;
}

export const status = (page: Page) => page.getByRole('status');
export const heading = (page: Page) => page.getByRole('heading', { level: 1 });

/** Opens pages signed in as directory users; `close()` says what went wrong across all of them. */
export class Visitors {
  private readonly contexts: BrowserContext[] = [];
  /** Requests to anywhere but the server under test. */
  readonly foreign: string[] = [];
  /** What the browser refused under the page's Content-Security-Policy (inline style or script, another origin). */
  readonly cspViolations: string[] = [];

  constructor(
    private readonly browser: () => Browser,
    private readonly world: () => PortalWorld,
  ) {}

  /** A fresh context signed in as `userId` (`/?as=`), then at `path`. */
  async signedIn(userId: string, path = '/', options: Parameters<typeof newContext>[1] = {}): Promise<Page> {
    const page = await this.page(options);
    await page.goto(`${this.world().url}/?as=${userId}`);
    if (path !== '/') await page.goto(`${this.world().url}${path}`);
    return page;
  }

  /** A page of a fresh context, watched like every other. */
  async page(options: Parameters<typeof newContext>[1] = {}, prepare?: (context: BrowserContext) => Promise<unknown>): Promise<Page> {
    const context = await newContext(this.browser(), options);
    this.contexts.push(context);
    await prepare?.(context);
    const page = await context.newPage();
    this.foreign.push(...recordForeignRequests(page, this.world().url));
    page.on('console', (message) => {
      if (/Content.Security.Policy/i.test(message.text())) this.cspViolations.push(message.text());
    });
    return page;
  }

  async close(): Promise<void> {
    await Promise.all(this.contexts.map((c) => c.close()));
  }
}

/**
 * axe-core's serious and critical WCAG A/AA violations of the page as it is now. axe needs its
 * script in the page, which the portal's CSP forbids: the same URL is opened again, with the same
 * cookies, in a context that bypasses it; `prepare` brings that copy into the same state (a dialog open).
 */
export async function seriousAxeViolationsOf(page: Page, prepare?: (copy: Page) => Promise<void>): Promise<string[]> {
  const viewport = page.viewportSize() ?? undefined;
  const context = await newContext(page.context().browser()!, { bypassCSP: true, ...(viewport ? { viewport } : {}) });
  try {
    await context.addCookies(await page.context().cookies());
    const copy = await context.newPage();
    await copy.goto(page.url());
    await heading(copy).waitFor();
    await copy.waitForFunction(() => !(globalThis as unknown as { document: { querySelector(s: string): unknown } }).document.querySelector('[aria-busy="true"]'));
    await prepare?.(copy);
    return (await seriousAxeViolations(copy)).map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
  } finally {
    await context.close();
  }
}

/** The element has the keyboard focus. */
export function hasFocus(locator: Locator): Promise<boolean> {
  return locator.evaluate((element) => (element as unknown as { ownerDocument: { activeElement: unknown } }).ownerDocument.activeElement === element);
}
