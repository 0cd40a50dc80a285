/**
 * UTC calendar arithmetic for the tracking seed. Everything is UTC so that the seeded rows do not
 * depend on the time zone of the machine or of the database session.
 */

/** Milliseconds in a day. */
export const dayMs = 86_400_000;

/** 'YYYY-MM-DD' of an instant, in UTC. */
export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** 'YYYY-MM-DDTHH:MM:SS.sssZ' of an instant: unambiguous for a timestamptz parameter. */
export function isoTimestamp(ms: number): string {
  return new Date(ms).toISOString();
}

/** Midnight UTC of the day containing `ms`. */
export function startOfDay(ms: number): number {
  return Math.floor(ms / dayMs) * dayMs;
}

/** The same day-of-month `months` later (or earlier), clamped to the month's last day. */
export function addMonths(ms: number, months: number): number {
  const date = new Date(ms);
  const target = Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1);
  const lastDay = new Date(Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months + 1, 0)).getUTCDate();
  return target + (Math.min(date.getUTCDate(), lastDay) - 1) * dayMs + (ms - startOfDay(ms));
}

/** Midnight UTC on the first day of the month containing `ms`, shifted by `months`. */
export function monthStart(ms: number, months = 0): number {
  const date = new Date(ms);
  return Date.UTC(date.getUTCFullYear(), date.getUTCMonth() + months, 1);
}
