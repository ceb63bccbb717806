// When a scheduled job should last have run (docs/reference/operations.md, "Heartbeats"): the
// health check compares it with the job's latest completed run, so a broken schedule shows.
import type { JobSchedule } from './operations.js';

const MINUTE_MS = 60_000;
const HOUR_MS = 60 * MINUTE_MS;
const DAY_MS = 24 * HOUR_MS;

/**
 * The most recent instant at or before `now` at which the schedule says the job runs (UTC).
 * An hourly job runs at any minute, at least once an hour: it should have run within the hour
 * before `now`, so its latest expected run is `now` − 1 hour.
 */
export function lastExpectedRun(schedule: JobSchedule, now: Date): Date {
  const t = now.getTime();
  if (schedule.kind === 'hourly') return new Date(t - HOUR_MS);
  const midnight = Math.floor(t / DAY_MS) * DAY_MS;
  const timeOfDay = (schedule.hour * 60 + schedule.minute) * MINUTE_MS;
  if (schedule.kind === 'daily') {
    const today = midnight + timeOfDay;
    return new Date(today <= t ? today : today - DAY_MS);
  }
  // Days back from today to the schedule's weekday (0 when today is that weekday).
  const back = (new Date(midnight).getUTCDay() - schedule.weekday + 7) % 7;
  const candidate = midnight - back * DAY_MS + timeOfDay;
  return new Date(candidate <= t ? candidate : candidate - 7 * DAY_MS);
}

/** A schedule in words, for reasons and reports: "hourly", "daily at 07:30 UTC", "Mondays at 09:00 UTC". */
export function describeSchedule(schedule: JobSchedule): string {
  if (schedule.kind === 'hourly') return 'hourly';
  const time = `${String(schedule.hour).padStart(2, '0')}:${String(schedule.minute).padStart(2, '0')} UTC`;
  if (schedule.kind === 'daily') return `daily at ${time}`;
  return `${WEEKDAYS[schedule.weekday]}s at ${time}`;
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
