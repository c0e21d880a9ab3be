import type { FindingRecord } from '../findings/finding.js';
import type { OutputRecord, Sink } from '../outputs/sink.js';
import { Screen } from './screen.js';
import { initialState, reduce, type DashConnection, type DashState, type Totals } from './state.js';
import { detailScrollMax, visiblePaths } from './views.js';

export interface DashboardOptions {
  source: string;
  /** Called once a second for the header and the rate sparklines. */
  totals: () => Totals;
  /** The user asked to quit (q or Ctrl-C). */
  onQuit: () => void;
  /** Render interval; at most 4 per second. */
  intervalMs?: number;
}

/**
 * The dashboard as a sink: records fold into state through the reducer, and one timer paints
 * at most 4 times a second, only when something changed.
 */
export class Dashboard implements Sink {
  readonly state: DashState;
  private readonly screen: Screen;
  private dirty = true;
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly opts: DashboardOptions) {
    this.state = initialState(opts.source);
    this.state.now = Date.now();
    this.screen = new Screen((key) => this.key(key));
    const every = Math.max(250, opts.intervalMs ?? 250);
    this.timers.push(setInterval(() => this.paint(), every));
    this.timers.push(setInterval(() => { reduce(this.state, { kind: 'tick', totals: opts.totals(), now: Date.now() }); this.dirty = true; }, 1000));
    this.paint();
  }

  private key(key: string): void {
    if ((key === 'q' && this.state.mode === 'main') || key === 'C-c') {
      this.opts.onQuit();
      return;
    }
    const { width, height } = this.screen.size;
    const bound = this.state.mode === 'detail' ? detailScrollMax(this.state, width, height) : visiblePaths(this.state).length;
    reduce(this.state, { kind: 'key', key }, bound);
    this.dirty = true;
    // Keys answer at once; the timer still bounds redraws caused by traffic.
    this.screen.paint(this.state);
    this.dirty = false;
  }

  private paint(): void {
    if (!this.dirty || this.state.paused) return;
    this.dirty = false;
    this.screen.paint(this.state);
  }

  write(record: OutputRecord): void {
    if (record.type === 'connection') reduce(this.state, { kind: 'connection', record: record as unknown as DashConnection });
    else if (record.type === 'finding') reduce(this.state, { kind: 'finding', record: record as unknown as FindingRecord });
    else return;
    this.dirty = true;
  }

  async flush(): Promise<void> {}

  async close(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.screen.destroy();
  }
}
