import blessed from 'blessed';
import contrib from 'blessed-contrib';
import type { DashState } from './state.js';
import { findingsPane, headerLines, layout, overlay, overlayRect, pathsPane, statusLine, type Line, type Rect } from './views.js';

/**
 * The blessed adapter: owns the widgets and paints the pure views into them. It knows nothing
 * of packets; `paint(state)` is the only way content reaches the terminal.
 */
export class Screen {
  private readonly screen: blessed.Widgets.Screen;
  private readonly header: blessed.Widgets.BoxElement;
  private readonly paths: blessed.Widgets.BoxElement;
  private readonly findings: blessed.Widgets.BoxElement;
  private readonly overlay: blessed.Widgets.BoxElement;
  private readonly rates: contrib.Widgets.SparklineElement;
  private readonly drops: blessed.Widgets.BoxElement;
  private last: DashState | null = null;

  constructor(onKey: (key: string) => void, output: NodeJS.WriteStream = process.stdout, input: NodeJS.ReadStream = process.stdin) {
    this.screen = blessed.screen({ smartCSR: true, fullUnicode: true, title: 'comms-watch', output, input, autoPadding: false, warnings: false });
    // No wrapping: the views fit every line to its pane by display width; blessed must not
    // re-break them by its own rules.
    const box = (label?: string) => blessed.box({ parent: this.screen, tags: true, wrap: false, label: label ? ` ${label} ` : undefined, border: label ? { type: 'line' } : undefined, style: { border: { fg: 'gray' } } });
    this.header = box();
    this.paths = box('paths');
    this.findings = box('findings');
    this.rates = contrib.sparkline({ parent: this.screen, tags: true, style: { fg: 'cyan', titleFg: 'white' } } as contrib.Widgets.SparklineOptions);
    this.drops = box();
    this.overlay = box('detail');
    this.overlay.hide();
    // No `return`: blessed emits a second keypress named `enter` for every \r, and Enter toggles the detail view.
    const names: Record<string, string> = { enter: 'enter', escape: 'escape', up: 'up', down: 'down', backspace: 'backspace', pageup: 'pageup', pagedown: 'pagedown' };
    this.screen.on('keypress', (ch: string | undefined, key: { name?: string; full?: string; ctrl?: boolean }) => {
      if (key.ctrl && key.name === 'c') return onKey('C-c');
      const name = key.name && names[key.name] ? names[key.name]! : ch && ch.length === 1 && ch >= ' ' ? ch : null;
      if (name) onKey(name);
    });
    // Lines are fitted to the old size: repaint at once rather than at the next tick.
    this.screen.on('resize', () => (this.last ? this.paint(this.last) : this.place()));
    this.place();
  }

  get size(): { width: number; height: number } {
    return { width: Number(this.screen.width), height: Number(this.screen.height) };
  }

  private place(): void {
    const { width, height } = this.size;
    const L = layout(width, height);
    const at = (el: blessed.Widgets.BlessedElement, r: Rect) => {
      el.left = r.left;
      el.top = r.top;
      el.width = r.width;
      el.height = r.height;
    };
    at(this.header, L.header);
    at(this.paths, L.paths);
    at(this.findings, L.findings);
    at(this.rates, { ...L.rates, height: 2 });
    at(this.drops, { ...L.rates, top: L.rates.top + 2, height: 1 });
    at(this.overlay, overlayRect(width, height));
  }

  /** Renders the state; called by the app's timer only (never per packet or per record). */
  paint(s: DashState): void {
    this.last = s;
    const { width, height } = this.size;
    this.place();
    const L = layout(width, height);
    this.header.setContent(tagged(headerLines(s, width)));
    this.paths.setContent(tagged(pathsPane(s, L.paths)));
    this.findings.setContent(tagged(findingsPane(s, L.findings)));
    const last = (a: number[]) => a[a.length - 1] ?? 0;
    this.rates.setData([`pkts/s ${last(s.packetRate)}`, `bytes/s ${last(s.byteRate)}`], [s.packetRate.slice(-(width - 20)), s.byteRate.slice(-(width - 20))]);
    this.drops.setContent(tagged([statusLine(s, width)]));
    const over = overlay(s, width, overlayRect(width, height).height);
    if (over) this.show(over.label, over.lines);
    else this.overlay.hide();
    this.screen.render();
  }

  private show(label: string, lines: Line[]): void {
    this.overlay.setLabel(` ${label} `);
    this.overlay.setContent(tagged(lines));
    this.overlay.show();
    this.overlay.setFront();
  }

  /** Gives the terminal back exactly as it was. */
  destroy(): void {
    this.screen.destroy();
  }
}

/** Wire strings went through `safeText` in the views; here only blessed's tag braces need escaping. */
function tagged(lines: Line[]): string {
  return lines
    .map((l) => {
      let t = blessed.escape(l.text);
      if (l.color) t = `{${l.color}-fg}${t}{/${l.color}-fg}`;
      if (l.bold) t = `{bold}${t}{/bold}`;
      return t;
    })
    .join('\n');
}
