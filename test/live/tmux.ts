import { execFileSync } from 'node:child_process';
import { sleep } from './netns.js';

/**
 * One tmux session on our own tmux server (its own socket), so nothing of a user's tmux is
 * touched: the terminal the dashboard tests drive and read.
 */
export class TmuxScreen {
  private pid: number | null = null;

  /** `read`: how `shows` sees the pane (e.g. flattened); `join`: capture wrapped lines joined. */
  constructor(private readonly socket: string, private readonly read: (pane: string) => string = (p) => p, private readonly join = false) {}

  tmux(...args: string[]): string {
    return execFileSync('tmux', ['-L', this.socket, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  }

  start(width: number, height: number, cmd: string): void {
    this.tmux('new-session', '-d', '-s', 'dash', '-x', String(width), '-y', String(height), cmd);
    this.pid = Number(this.display('#{pid}'));
  }

  display(format: string): string {
    return this.tmux('display-message', '-p', '-t', 'dash', format).trim();
  }

  /** The pane's text; with `escapes`, the attributes and colours as the terminal holds them. */
  pane(escapes = false): string {
    return this.tmux('capture-pane', '-p', ...(this.join ? ['-J'] : []), ...(escapes ? ['-e'] : []), '-t', 'dash');
  }

  keys(key: string): void {
    this.tmux('send-keys', '-t', 'dash', key);
  }

  async shows(re: RegExp, ms: number): Promise<string> {
    const end = Date.now() + ms;
    let text = '';
    while (Date.now() < end) {
      text = this.read(this.pane());
      if (re.test(text)) return text;
      await sleep(100);
    }
    throw new Error(`screen never showed ${re}:\n${text}`);
  }

  /** Ends the session's process and our tmux server, whatever state they are in. */
  end(): void {
    if (this.pid !== null) {
      try {
        process.kill(this.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
    }
    try {
      this.tmux('kill-server');
    } catch {
      // Our server was already down.
    }
  }
}
