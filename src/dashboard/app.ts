import type { FindingRecord } from '../findings/finding.js';
import type { NodeRecord } from '../outputs/node-record.js';
import type { OutputRecord, Sink } from '../outputs/sink.js';
import { Screen } from './screen.js';
import { initialState, reduce, type DashConnection, type DashState, type Totals } from './state.js';
import { detailScrollMax, layout, overlayRect, visiblePaths } from './views.js';

/** Notes kept for stderr after the screen closes; a daemon that says more is not kept whole. */
const MAX_HELD = 1000;

export interface DashboardOptions {
  source: string;
  /** Called once a second for the header and the rate sparklines. */
  totals: () => Totals;
  /** The user asked to quit (q or Ctrl-C). */
  onQuit: () => void;
  /** Render interval; at most 4 per second. */
  intervalMs?: number;
  /** Where the notes shown on screen go once it is closed, so that a log of the run keeps them. */
  afterwards: NodeJS.WritableStream;
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
  private held: string[] = [];
  private closed = false;
  private unheld = 0;

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
    const scrolling = this.state.mode === 'detail' || this.state.mode === 'node';
    const bound = scrolling ? detailScrollMax(this.state, width, height) : visiblePaths(this.state).length;
    // A page: the lines the open view shows, or the rows of the paths pane (inside its border and title).
    const page = Math.max(1, (scrolling ? overlayRect(width, height).height : layout(width, height).paths.height) - 3);
    reduce(this.state, { kind: 'key', key, page }, bound);
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
    else if (record.type === 'node') reduce(this.state, { kind: 'node', record: record as unknown as NodeRecord });
    else return;
    this.dirty = true;
  }

  async flush(): Promise<void> {}

  /** A line the daemon would have written to stderr: while the screen owns the terminal it shows on the status line. */
  note(text: string): void {
    if (this.closed) {
      this.opts.afterwards.write(`comms-watch: ${text}\n`);
      return;
    }
    if (this.held.length < MAX_HELD) this.held.push(text);
    else this.unheld++;
    reduce(this.state, { kind: 'note', text, at: Date.now() });
    this.dirty = true;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.screen.destroy();
    for (const text of this.held) this.opts.afterwards.write(`comms-watch: ${text}\n`);
    if (this.unheld > 0) this.opts.afterwards.write(`comms-watch: ${this.unheld} more notes while the dashboard was open, not kept\n`);
    this.held = [];
  }
}
