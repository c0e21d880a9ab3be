/** The largest time a Date can hold (ms): damaged captures and hostile tokens may claim any time. */
const MAX_DATE_MS = 8.64e15;

/** The second last formatted, and its ISO text up to and including the decimal point. */
let lastSecond = NaN;
let lastPrefix = '';

/**
 * ISO 8601 UTC for any number: never throws (non-finite becomes the epoch, the rest is clamped).
 * Records come in time order, so the text of the current second is kept and only the
 * milliseconds are added: a Date and its formatting per timestamp was a tenth of what writing
 * JSON lines cost.
 */
export function isoFromMs(ms: number): string {
  const t = Number.isFinite(ms) ? Math.max(-MAX_DATE_MS, Math.min(MAX_DATE_MS, Math.floor(ms))) : 0;
  const second = Math.floor(t / 1000);
  if (second !== lastSecond) {
    const full = new Date(second * 1000).toISOString();
    lastPrefix = full.slice(0, full.length - 4);
    lastSecond = second;
  }
  const milli = t - second * 1000;
  return `${lastPrefix}${milli < 10 ? '00' : milli < 100 ? '0' : ''}${milli}Z`;
}
