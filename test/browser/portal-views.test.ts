// Every view of the portal at desktop and phone width, against the local server over a running
// campaign: a screenshot of each (docs/screenshots/<view>-<desktop|phone>.png, shown in README), no
// serious or critical axe-core violation (WCAG 2.x A and AA rules), no layout shift while it loads,
// and nothing wider than the screen.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser, Page } from 'playwright-core';
import { useEngine } from '../support/engine.js';
import {
  DESKTOP,
  hasChromium,
  launchChromium,
  newContext,
  PHONE,
  PORTAL_CAMPAIGN_ID,
  saveScreenshot,
  seriousAxeViolations,
  startPortalWorld,
  type PortalWorld,
} from '../support/portal.js';

const engine = useEngine();

interface View {
  name: string;
  /** Who is signed in (none: the local sign-in page). */
  as?: string;
  path: (world: PortalWorld) => string;
  /** The view has loaded its data. */
  ready: (page: Page) => Promise<void>;
}

const VIEWS: View[] = [
  {
    name: 'sign-in',
    path: () => '/local/sign-in?returnTo=%2Ftasks',
    ready: (page) => page.getByRole('link', { name: 'Finn Manager' }).waitFor(),
  },
  {
    name: 'tasks',
    as: 'mgr-fin',
    path: () => '/tasks',
    ready: (page) => page.getByRole('link', { name: /^Ann Analyst/ }).first().waitFor(),
  },
  {
    name: 'entry',
    as: 'mgr-fin',
    path: (world) => `/entries/${world.entryOf('ann')}`,
    ready: async (page) => {
      await page.getByRole('heading', { level: 1, name: 'Ann Analyst' }).waitFor();
      await page.getByRole('button', { name: 'Approve Ledger admin' }).waitFor();
    },
  },
  {
    name: 'campaigns',
    as: 'owner',
    path: () => '/campaigns',
    ready: (page) => page.getByRole('link', { name: 'Finance access review' }).waitFor(),
  },
  {
    name: 'campaign',
    as: 'owner',
    path: () => `/campaigns/${PORTAL_CAMPAIGN_ID}`,
    ready: async (page) => {
      await page.getByRole('heading', { level: 1, name: 'Finance access review' }).waitFor();
      await page.getByRole('table', { name: 'Entries', exact: true }).waitFor();
    },
  },
];

const SIZES = [
  { size: 'desktop', viewport: DESKTOP },
  { size: 'phone', viewport: PHONE },
] as const;

describe.skipIf(!hasChromium)('every view of the portal, at desktop and phone width', () => {
  let world: PortalWorld;
  let browser: Browser;
  beforeAll(async () => {
    world = await startPortalWorld(engine);
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await world?.close();
  });

  async function open(view: View, viewport: { width: number; height: number }, bypassCSP: boolean): Promise<Page> {
    const context = await newContext(browser, { viewport, bypassCSP });
    const page = await context.newPage();
    // Every layout shift from the first paint on, as Chromium reports them (the CLS of Web Vitals).
    await page.addInitScript(() => {
      interface Shift {
        value: number;
        hadRecentInput: boolean;
        sources: { node?: { nodeName: string; className?: unknown } }[];
      }
      const scope = globalThis as unknown as { __shifts: Shift[]; PerformanceObserver: new (cb: (list: { getEntries(): Shift[] }) => void) => { observe(o: object): void } };
      scope.__shifts = [];
      new scope.PerformanceObserver((list) => {
        for (const entry of list.getEntries()) if (!entry.hadRecentInput) scope.__shifts.push(entry);
      }).observe({ type: 'layout-shift', buffered: true });
    });
    const path = view.path(world);
    await page.goto(`${world.url}${view.as ? `${path}${path.includes('?') ? '&' : '?'}as=${view.as}` : path}`);
    await view.ready(page);
    await page.waitForLoadState('networkidle');
    return page;
  }

  for (const view of VIEWS) {
    for (const { size, viewport } of SIZES) {
      it(`${view.name} at ${size} width (${viewport.width}×${viewport.height}): screenshot, nothing wider than the screen, no layout shift`, async () => {
        const page = await open(view, viewport, false);
        await saveScreenshot(page, `${view.name}-${size}`);
        const overflow = await page.evaluate(() => {
          const doc = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document;
          return doc.documentElement.scrollWidth - doc.documentElement.clientWidth;
        });
        expect(overflow, 'page wider than the screen (px)').toBeLessThanOrEqual(0);
        const { shift, moved } = await page.evaluate(() => {
          const shifts = (globalThis as unknown as { __shifts: { value: number; sources: { node?: { nodeName: string; className?: unknown } }[] }[] }).__shifts;
          const names = shifts.flatMap((e) => e.sources.map((s) => (s.node ? `${s.node.nodeName.toLowerCase()}${typeof s.node.className === 'string' && s.node.className ? `.${s.node.className.split(' ').join('.')}` : ''}` : '?')));
          return { shift: shifts.reduce((sum, e) => sum + e.value, 0), moved: [...new Set(names)].join(', ') };
        });
        // Web Vitals' "good" cumulative layout shift is at most 0.1; a view that reserves its space shifts none.
        expect(shift, `cumulative layout shift (moved: ${moved})`).toBeLessThanOrEqual(0.01);
        await page.context().close();
      });

      it(`${view.name} at ${size} width: no serious or critical axe-core violation`, async () => {
        // axe-core is injected as a script: only a context that bypasses the page's CSP lets it run.
        const page = await open(view, viewport, true);
        const violations = await seriousAxeViolations(page);
        expect(violations.map((v) => `${v.impact} ${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`)).toEqual([]);
        await page.context().close();
      });
    }
  }
});
