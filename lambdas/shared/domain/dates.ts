// UTC calendar dates (YYYY-MM-DD) as the daily jobs use them: one report, one assessment per date.

const DAY_MS = 86_400_000;

/** The UTC date of an instant. */
export const utcDate = (at: Date | string): string => new Date(at).toISOString().slice(0, 10);

/** The date `days` after (or, negative, before) a date. */
export const addDays = (date: string, days: number): string => utcDate(new Date(Date.parse(`${date}T00:00:00.000Z`) + days * DAY_MS));

/** Every UTC date an instant range [from, to) touches, oldest first ([] when to <= from). */
export function utcDaysBetween(from: string, to: string): string[] {
  if (!(Date.parse(to) > Date.parse(from))) return [];
  const last = utcDate(new Date(Date.parse(to) - 1));
  const days: string[] = [];
  for (let day = utcDate(from); day <= last; day = addDays(day, 1)) days.push(day);
  return days;
}
