/**
 * Durable per-receiver spool.
 *
 * On-disk format (one directory per receiver, named by a hash of its URL so no token appears in a path):
 *   <16-digit batch number>.jsonl   one file per spool batch, one JSON line per entry:
 *                                   {"v":1,"finding":<FindingRecord>}\n
 * A batch is written to `<name>.tmp`, fsynced, renamed and the directory fsynced: one fsync pair per batch,
 * not per alert. An entry is acknowledged by forgetting it in memory; a file is deleted when none of its entries
 * is left, and rewritten (tmp + rename) without its dead entries when the spool must shrink. After a crash, lines
 * of a partly acknowledged file are sent again: delivery is at least once, receivers drop repeats by the
 * idempotency key. Loading tolerates a torn last line, garbage lines and leftover `.tmp` files (their complete
 * lines are kept); unreadable lines are counted in `corrupt`. When several revisions of one finding are spooled,
 * only the newest is kept.
 */
import { mkdir, open, readdir, readFile, rename, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { FindingRecord, Severity } from '../../findings/finding.js';
import { SEVERITIES } from '../../findings/finding.js';

export interface SpoolEntry {
  seq: number;
  finding: FindingRecord;
  bytes: number;
  file: BatchFile;
  inflight: boolean;
  /** Set once the rate limiter has delayed it, so it is counted once. */
  held: boolean;
  /** Has passed the rate limiter; retries of it do not spend the rule's budget again. */
  rated: boolean;
}

interface BatchFile {
  name: string;
  size: number;
  live: Set<SpoolEntry>;
  /** The file holds lines of entries that are no longer live. */
  dirty: boolean;
}

export interface SpoolCounters {
  coalesced: number;
  droppedSpoolFull: number;
  droppedBySeverity: Record<Severity, number>;
  corrupt: number;
}

const FILE_RE = /^(\d{16})\.jsonl(\.tmp)?$/;
/** Dropped first when the spool is full: info, then low, ..., critical last. */
const DROP_RANK: Record<Severity, number> = { info: 0, low: 1, medium: 2, high: 3, critical: 4 };

export class ReceiverSpool {
  private readonly entries = new Map<number, SpoolEntry>();
  private readonly byId = new Map<string, SpoolEntry>();
  private readonly files = new Map<string, BatchFile>();
  private nextSeq = 0;
  private nextFile = 0;
  private diskBytes = 0;
  private chain: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dir: string,
    private readonly maxBytes: number,
    private readonly counters: SpoolCounters,
  ) {}

  static async open(dir: string, maxBytes: number, counters: SpoolCounters): Promise<ReceiverSpool> {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    const spool = new ReceiverSpool(dir, maxBytes, counters);
    await spool.load();
    return spool;
  }

  /** Live entries in spool order. */
  pending(): IterableIterator<SpoolEntry> {
    return this.entries.values();
  }

  get count(): number {
    return this.entries.size;
  }

  get bytesOnDisk(): number {
    return this.diskBytes;
  }

  /** Durably stores the findings (one file, one fsync); returns when they are on disk. */
  append(findings: FindingRecord[]): Promise<void> {
    return this.serial(() => this.doAppend(findings));
  }

  /** Forgets delivered entries; deletes files that have nothing live left. */
  ack(done: SpoolEntry[]): Promise<void> {
    return this.serial(async () => {
      const touched = new Set<BatchFile>();
      for (const e of done) {
        this.forget(e);
        touched.add(e.file);
      }
      for (const f of touched) await this.settle(f);
    });
  }

  private serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.chain.then(fn, fn);
    this.chain = run.catch(() => undefined);
    return run;
  }

  private forget(e: SpoolEntry): void {
    if (!this.entries.delete(e.seq)) return;
    if (this.byId.get(e.finding.id) === e) this.byId.delete(e.finding.id);
    e.file.live.delete(e);
    e.file.dirty = true;
  }

  /** Deletes an empty file; the caller decides whether a dirty one is worth rewriting. */
  private async settle(f: BatchFile, rewrite = false): Promise<void> {
    if (!this.files.has(f.name)) return;
    if (f.live.size === 0) {
      await unlink(join(this.dir, f.name)).catch(() => undefined);
      this.files.delete(f.name);
      this.diskBytes -= f.size;
      return;
    }
    if (rewrite && f.dirty) {
      const data = Array.from(f.live, (e) => lineOf(e.finding)).join('');
      await this.writeDurably(f.name, data);
      this.diskBytes += Buffer.byteLength(data) - f.size;
      f.size = Buffer.byteLength(data);
      f.dirty = false;
    }
  }

  private async doAppend(findings: FindingRecord[]): Promise<void> {
    const fresh: SpoolEntry[] = [];
    const name = String(this.nextFile++).padStart(16, '0') + '.jsonl';
    const file: BatchFile = { name, size: 0, live: new Set(), dirty: false };
    for (const f of findings) {
      const older = this.byId.get(f.id);
      if (older && older.finding.revision >= f.revision) {
        this.counters.coalesced++;
        continue;
      }
      if (older && !older.inflight) {
        this.forget(older);
        this.counters.coalesced++;
      }
      const e: SpoolEntry = { seq: this.nextSeq++, finding: f, bytes: Buffer.byteLength(lineOf(f)), file, inflight: false, held: false, rated: false };
      fresh.push(e);
    }
    if (fresh.length === 0) return;
    const kept = await this.makeRoom(fresh);
    if (kept.length === 0) return;
    const data = kept.map((e) => lineOf(e.finding)).join('');
    await this.writeDurably(name, data);
    file.size = Buffer.byteLength(data);
    this.diskBytes += file.size;
    this.files.set(name, file);
    for (const e of kept) this.admit(e);
  }

  private admit(e: SpoolEntry): void {
    const older = this.byId.get(e.finding.id);
    if (older && !older.inflight && older !== e) {
      this.forget(older);
      this.counters.coalesced++;
    }
    this.entries.set(e.seq, e);
    this.byId.set(e.finding.id, e);
    e.file.live.add(e);
  }

  /** Enforces the byte cap before `fresh` is written: compacts, then drops lowest severity, oldest first. */
  private async makeRoom(fresh: SpoolEntry[]): Promise<SpoolEntry[]> {
    const incoming = fresh.reduce((n, e) => n + e.bytes, 0);
    if (this.diskBytes + incoming <= this.maxBytes) return fresh;
    for (const f of [...this.files.values()]) if (f.dirty) await this.settle(f, true);
    let over = this.diskBytes + incoming - this.maxBytes;
    if (over <= 0) return fresh;
    // In-flight entries are candidates too: a receiver that is down keeps the oldest entries permanently in flight.
    // Dropping one only forgets it; if its request still succeeds, the alert simply arrived.
    const candidates = [...this.entries.values()].concat(fresh);
    candidates.sort((a, b) => DROP_RANK[a.finding.severity] - DROP_RANK[b.finding.severity] || a.seq - b.seq);
    const dropped = new Set<SpoolEntry>();
    for (const e of candidates) {
      if (over <= 0) break;
      dropped.add(e);
      over -= e.bytes;
      this.counters.droppedSpoolFull++;
      this.counters.droppedBySeverity[e.finding.severity]++;
    }
    const touched = new Set<BatchFile>();
    for (const e of dropped) {
      if (this.entries.has(e.seq)) {
        this.forget(e);
        touched.add(e.file);
      }
    }
    for (const f of touched) await this.settle(f, true);
    return fresh.filter((e) => !dropped.has(e));
  }

  private async writeDurably(name: string, data: string): Promise<void> {
    const tmp = join(this.dir, name + '.tmp');
    const fh = await open(tmp, 'w', 0o600);
    try {
      await fh.writeFile(data);
      await fh.sync();
    } finally {
      await fh.close();
    }
    await rename(tmp, join(this.dir, name));
    const d = await open(this.dir, 'r');
    try {
      await d.sync();
    } finally {
      await d.close();
    }
  }

  private async load(): Promise<void> {
    const names = (await readdir(this.dir)).filter((n) => FILE_RE.test(n)).sort();
    for (const n of names) {
      const num = Number(FILE_RE.exec(n)![1]);
      this.nextFile = Math.max(this.nextFile, num + 1);
      let name = n;
      if (n.endsWith('.tmp')) {
        // A batch that crashed before its rename: its complete lines are still worth sending.
        name = n.slice(0, -4);
        if (names.includes(name)) {
          await unlink(join(this.dir, n)).catch(() => undefined);
          continue;
        }
        await rename(join(this.dir, n), join(this.dir, name));
      }
      const text = await readFile(join(this.dir, name), 'utf8');
      const file: BatchFile = { name, size: Buffer.byteLength(text), live: new Set(), dirty: false };
      this.files.set(name, file);
      this.diskBytes += file.size;
      const lines = text.split('\n');
      // Without a final newline the last line is torn (crash mid-write); parse nothing from it.
      const torn = lines.pop();
      if (torn) {
        this.counters.corrupt++;
        file.dirty = true;
      }
      for (const line of lines) {
        const finding = parseLine(line);
        if (!finding) {
          if (line.length > 0) this.counters.corrupt++;
          file.dirty = true;
          continue;
        }
        this.admit({ seq: this.nextSeq++, finding, bytes: Buffer.byteLength(line) + 1, file, inflight: false, held: false, rated: false });
      }
    }
    // After all files: a newer revision in a later file makes an earlier file dirty too.
    for (const f of [...this.files.values()]) await this.settle(f, f.dirty);
  }
}

function lineOf(f: FindingRecord): string {
  return JSON.stringify({ v: 1, finding: f }) + '\n';
}

function parseLine(line: string): FindingRecord | undefined {
  let v: unknown;
  try {
    v = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof v !== 'object' || v === null) return undefined;
  const f = (v as { finding?: unknown }).finding;
  return isFinding(f) ? f : undefined;
}

export function isFinding(f: unknown): f is FindingRecord {
  if (typeof f !== 'object' || f === null) return false;
  const r = f as Record<string, unknown>;
  return (
    r.type === 'finding' &&
    typeof r.id === 'string' &&
    typeof r.rule === 'string' &&
    typeof r.revision === 'number' &&
    typeof r.severity === 'string' &&
    (SEVERITIES as readonly string[]).includes(r.severity) &&
    typeof r.client === 'string' &&
    typeof r.server === 'string' &&
    typeof r.path === 'string'
  );
}
