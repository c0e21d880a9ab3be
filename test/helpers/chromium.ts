import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

/** Debian's package `chromium` (scripts/setup-system.sh installs it). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Runs headless Chromium once on a local file and returns its stdout. A fresh profile each
 * time, so parallel runs do not share a lock; a virtual time budget lets timers and image
 * error events fire before the DOM is dumped.
 */
export function chromium(file: string, args: string[]): string {
  const profile = mkdtempSync(join(tmpdir(), 'cw-chromium-'));
  try {
    const r = spawnSync(CHROMIUM, ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run', '--hide-scrollbars', `--user-data-dir=${profile}`, '--virtual-time-budget=3000', ...args, pathToFileURL(file).href], { encoding: 'utf8', timeout: 90_000, maxBuffer: 64 << 20 });
    if (r.error) throw r.error;
    if (r.status !== 0) throw new Error(`chromium exited ${r.status}: ${r.stderr.slice(-800)}`);
    return r.stdout;
  } finally {
    rmSync(profile, { recursive: true, force: true });
  }
}

export function dumpDom(file: string): string {
  return chromium(file, ['--dump-dom']);
}

export function screenshot(file: string, png: string, width: number, height: number): void {
  chromium(file, [`--screenshot=${png}`, `--window-size=${width},${height}`]);
}
