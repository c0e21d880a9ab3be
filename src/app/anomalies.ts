import { isoFromMicros } from '../findings/dedupe.js';
import { sanitize } from '../outputs/sanitize.js';

/** An `anomaly` record: a parser oddity, not a judgement (Zeek's weird.log). */
export interface AnomalyRecord {
  type: 'anomaly';
  code: string;
  detail: string;
  client: string;
  server: string;
  ts: string;
  [key: string]: unknown;
}

/**
 * Rate limit per code: the first `perCode` of each code are written, later ones only counted,
 * so a hostile capture cannot flood the output with one oddity.
 */
export class AnomalyLimiter {
  private readonly seen = new Map<string, number>();
  suppressed = 0;

  constructor(private readonly perCode = 20, private readonly maxCodes = 500) {}

  admit(a: { code: string; detail: string; client: string; server: string; tsMicros: number }): AnomalyRecord | null {
    const n = this.seen.get(a.code) ?? 0;
    if (n >= this.perCode || (n === 0 && this.seen.size >= this.maxCodes)) {
      this.suppressed++;
      return null;
    }
    this.seen.set(a.code, n + 1);
    return { type: 'anomaly', code: sanitize(a.code), detail: sanitize(a.detail).slice(0, 300), client: a.client, server: a.server, ts: isoFromMicros(a.tsMicros) };
  }

  counts(): Record<string, number> {
    return Object.fromEntries(this.seen);
  }
}
