/** The largest time a Date can hold (ms): damaged captures and hostile tokens may claim any time. */
const MAX_DATE_MS = 8.64e15;

/** ISO 8601 UTC for any number: never throws (non-finite becomes the epoch, the rest is clamped). */
export function isoFromMs(ms: number): string {
  if (!Number.isFinite(ms)) return new Date(0).toISOString();
  return new Date(Math.max(-MAX_DATE_MS, Math.min(MAX_DATE_MS, Math.floor(ms)))).toISOString();
}
