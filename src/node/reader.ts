import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export interface NodeFileStatus {
  path: string;
  status: 'read' | 'missing' | 'unreadable' | 'malformed' | 'refused';
  detail?: string;
}

/**
 * A private key is never opened, whatever a configuration points at: the name decides before any
 * open(2). Combined PEM files (kubelet-server-current.pem) are not named like keys; their key block
 * is skipped by pem.ts without being decoded.
 */
export function isKeyPath(path: string): boolean {
  const base = path.split('/').pop() ?? path;
  return /\.key$/i.test(base) || /(^|[-_.])key\.pem$/i.test(base) || /^key\.pem$/i.test(base) || /(^|\/)private(\/|$)/i.test(path) || /\.(p12|pfx|jks)$/i.test(base);
}

/**
 * The one way node files are read: every path is taken as seen from the node (`/etc/...`) and
 * prefixed with the node root (`/host` in a DaemonSet that mounts the host there). Each file's
 * outcome is recorded once, however often it is asked for; nothing is ever written.
 */
export class NodeFileReader {
  /** Every path handed to open(2), in order, for audit and tests. */
  readonly opened: string[] = [];
  private readonly status = new Map<string, NodeFileStatus>();
  private readonly cache = new Map<string, string | null>();

  constructor(readonly root: string = '/') {}

  /** The host path of a node path. */
  hostPath(nodePath: string): string {
    return this.root === '/' || this.root === '' ? nodePath : join(this.root, nodePath);
  }

  get files(): NodeFileStatus[] {
    return [...this.status.values()];
  }

  private note(entry: NodeFileStatus): void {
    if (!this.status.has(entry.path)) this.status.set(entry.path, entry);
  }

  /** Marks a file that was read but could not be understood (the first reason is kept). */
  malformed(nodePath: string, detail: string): void {
    const e = this.status.get(nodePath);
    if (e && e.status === 'read') {
      e.status = 'malformed';
      e.detail = detail;
    }
  }

  /** Text of a node file, or null when missing, unreadable or a key (recorded). */
  text(nodePath: string): string | null {
    if (this.cache.has(nodePath)) return this.cache.get(nodePath)!;
    let out: string | null = null;
    if (isKeyPath(nodePath)) {
      this.note({ path: nodePath, status: 'refused', detail: 'named like a private key: never opened' });
    } else {
      const p = this.hostPath(nodePath);
      this.opened.push(p);
      try {
        out = readFileSync(p, 'utf8');
        this.note({ path: nodePath, status: 'read' });
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        this.note({ path: nodePath, status: code === 'ENOENT' || code === 'ENOTDIR' ? 'missing' : 'unreadable', detail: code ?? (e as Error).message });
      }
    }
    this.cache.set(nodePath, out);
    return out;
  }

  /** Whether a node path exists (stat only: nothing is opened, nothing recorded). */
  exists(nodePath: string): boolean {
    try {
      statSync(this.hostPath(nodePath));
      return true;
    } catch {
      return false;
    }
  }

  /** Names in a node directory, sorted (drop-in order); null when it is absent. */
  list(nodePath: string): string[] | null {
    try {
      return readdirSync(this.hostPath(nodePath)).sort();
    } catch {
      return null;
    }
  }
}
