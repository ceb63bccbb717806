// The campaign report's HTML page in a real browser (Debian's chromium driven by playwright-core):
// it shows the report's totals, draws both charts as SVG with marks, breaks no rule of its own
// Content-Security-Policy, and makes no request but for the file itself.
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CampaignReport } from '../../lambdas/shared/domain/reports/campaign-report.js';
import { renderReportHtml } from '../../lambdas/shared/presenters/campaign-report-views.js';
import { buildCampaignReport } from '../../lambdas/shared/use-cases/reports/campaign-report.js';
import { REPORT_CAMPAIGN_ID, seedReportCampaign } from '../support/report-campaign.js';

const CHROMIUM = '/usr/bin/chromium';
/** What the page's elements are asked for (the DOM's types are not in this project's TypeScript libs). */
interface Box {
  offsetHeight: number;
  getBBox(): { width: number; height: number };
}
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium) console.warn(`test/browser/campaign-report.test.ts skipped: ${CHROMIUM} is missing (Debian: apt-get install -y chromium)`);

describe.skipIf(!hasChromium)('the campaign report page in Chromium', () => {
  let browser: Browser;
  let dir: string;
  let report: CampaignReport;
  let fileUrl: string;

  beforeAll(async () => {
    const world = await seedReportCampaign();
    // Strict enough that two reviewers are flagged, so the page has highlighted rows to show.
    report = await buildCampaignReport({ campaigns: world.campaigns, approvals: world.approvals, directory: world.directory }, REPORT_CAMPAIGN_ID, {
      now: new Date('2026-07-25T00:00:00.000Z'),
      thresholds: { minItems: 2, minApproveRate: 0.5, maxMedianSeconds: 20 },
    });
    dir = await mkdtemp(join(tmpdir(), 'idgov-report-html-'));
    const file = join(dir, 'report.html');
    await writeFile(file, await renderReportHtml(report));
    fileUrl = pathToFileURL(file).href;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
  });

  afterAll(async () => {
    await browser?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('shows the totals and both charts, and requests nothing but itself', async () => {
    const page = await browser.newPage();
    const requests: string[] = [];
    const problems: string[] = [];
    page.on('request', (request) => requests.push(request.url()));
    page.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text());
    });
    page.on('pageerror', (error) => problems.push(error.message));
    await page.goto(fileUrl, { waitUntil: 'load' });

    const shown = await page.$$eval('[data-total]', (figures) =>
      figures.map((f) => [f.getAttribute('data-total'), f.querySelector('dd')?.textContent?.trim(), (f as unknown as Box).offsetHeight > 0]),
    );
    expect(shown.length).toBe(Object.keys(report.totals).length);
    for (const [key, value, visible] of shown) {
      expect(visible, `${key} is visible`).toBe(true);
      expect(Number(value), `total ${key}`).toBe(report.totals[key as keyof CampaignReport['totals']]);
    }
    expect(await page.textContent('#total-items')).toBe('8');
    expect(await page.textContent('#total-revoked')).toBe('3');

    for (const id of ['chart-decisions-over-time', 'chart-decisions-per-approver']) {
      const chart = await page.$eval(`#${id} svg`, (svg) => {
        const box = svg.getBoundingClientRect();
        const bars = [...svg.querySelectorAll('.mark-rect path')].filter((p) => (p as unknown as Box).getBBox().height > 0 && (p as unknown as Box).getBBox().width > 0);
        return { tag: svg.namespaceURI, width: box.width, height: box.height, bars: bars.length };
      });
      expect(chart.tag, id).toBe('http://www.w3.org/2000/svg');
      expect(chart.width, id).toBeGreaterThan(100);
      expect(chart.height, id).toBeGreaterThan(50);
      expect(chart.bars, `${id} draws bars`).toBeGreaterThan(0);
    }
    // Per day: 07-02 three outcomes, 07-03 two, 07-10 two (the days between have none) → 7 bars.
    expect(await page.$$eval('#chart-decisions-over-time .mark-rect path', (paths) => paths.filter((p) => (p as unknown as Box).getBBox().height > 0).length)).toBe(7);

    const flagged = await page.$$eval('tr[data-rubber-stamp="true"]', (rows) => rows.map((r) => r.getAttribute('data-approver')));
    expect(flagged).toEqual(report.reviewers.filter((r) => r.rubberStamp).map((r) => r.approverId));
    expect(flagged).toEqual(['carol', 'sec']);
    expect(await page.$$eval('#items tbody tr', (rows) => rows.length)).toBe(report.rows.length);
    expect(await page.textContent('#reassignments tbody')).toContain('mgr on leave until August');

    // Printing lays the page out with the print styles, without a request either.
    await page.emulateMedia({ media: 'print' });
    expect(await page.evaluate('getComputedStyle(document.body).fontSize')).toBe('10px');
    expect((await page.pdf({ format: 'A4' })).subarray(0, 5).toString()).toBe('%PDF-');

    expect(problems).toEqual([]);
    expect(requests).toEqual([fileUrl]);
    await page.close();
  });
});
