// How the portal writes instants, risk levels and decisions: in the viewer's own time zone and
// language (the browser's Intl, no date library), and always in words, never by colour alone.
import type { Decision, EntryState, Origin, RiskLevel } from '../../../lambdas/approver-api/api-types.js';

const instantFormat = new Intl.DateTimeFormat(undefined, {
  year: 'numeric',
  month: 'short',
  day: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  timeZoneName: 'short',
});
const dayFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric' });
const utcDayFormat = new Intl.DateTimeFormat(undefined, { year: 'numeric', month: 'short', day: 'numeric', timeZone: 'UTC' });
const relative = new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

/** A moment (a due date, a decision), in the viewer's time zone with the zone's name: "15 Jul 2026, 02:00 CEST". */
export function formatInstant(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : instantFormat.format(date);
}

/**
 * A day (a grant, an end date). A value at midnight UTC was given as a calendar day
 * (YYYY-MM-DD) and shows as that day everywhere; any other instant shows as its day in the viewer's zone.
 */
export function formatDay(iso: string | null | undefined): string {
  if (!iso) return 'None';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return (/T00:00:00(\.000)?Z$/.test(iso) ? utcDayFormat : dayFormat).format(date);
}

/** "in 12 days", "3 hours ago": how far `iso` is from the server's now. */
export function fromNow(iso: string, asOf: string): string {
  const ms = Date.parse(iso) - Date.parse(asOf);
  if (Number.isNaN(ms)) return '';
  return Math.abs(ms) >= DAY_MS ? relative.format(Math.round(ms / DAY_MS), 'day') : relative.format(Math.round(ms / HOUR_MS), 'hour');
}

/** The YYYY-MM-DD a date field shows for a stored end date (the calendar day it was given as, see formatDay). */
export function dateFieldValue(iso: string | null): string {
  if (!iso) return '';
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  if (/T00:00:00(\.000)?Z$/.test(iso)) return iso.slice(0, 10);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

const RISK_WORDS: Record<RiskLevel, string> = { LOW: 'Low', MEDIUM: 'Medium', HIGH: 'High', CRITICAL: 'Critical' };
export const riskWord = (risk: RiskLevel | null | undefined): string => (risk ? RISK_WORDS[risk] : 'Not rated');

const ORIGIN_WORDS: Record<Origin, string> = { MANUAL: 'Manual', RULE: 'Rule', INHERITED: 'Inherited' };
export const originWord = (origin: Origin | null | undefined): string => (origin ? ORIGIN_WORDS[origin] : 'Unknown');

const STATE_WORDS: Record<EntryState, string> = {
  RUNNING: 'Open',
  'APPROVAL.FINISHED': 'Every item decided',
  'FAILED.PREPARE': 'Failed to prepare',
  'FAILED.EXPIRED': 'Expired undecided',
  'FAILED.APPLIED.CHANGES': 'Failed to apply the decisions',
  FINISHED: 'Finished',
};
export const entryStateWord = (state: EntryState): string => STATE_WORDS[state] ?? state;

export const OUTCOME_PAST: Record<Decision['outcome'], string> = { APPROVE: 'approved', REJECT: 'rejected', MODIFY: 'changed' };

/** What a MODIFY decision changes, in words: "end date 31 Mar 2027; entity DE02; region removed". */
export function describeChange(decision: Pick<Decision, 'endDate' | 'parameters'>): string {
  const parts: string[] = [];
  if (decision.endDate === null) parts.push('end date removed');
  else if (decision.endDate !== undefined) parts.push(`end date ${formatDay(decision.endDate)}`);
  for (const [name, value] of Object.entries(decision.parameters ?? {})) parts.push(value === null ? `${name} removed` : `${name} ${value}`);
  return parts.join('; ');
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;
