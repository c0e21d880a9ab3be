/** Where the spool lives, one subdirectory per receiver, and a lock so two processes never share a spool. */
import { createHash } from 'node:crypto';
import { mkdir, open, readFile, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** `/var/lib/comms-watch/spool` as root, else `$XDG_STATE_HOME/comms-watch/spool` (XDG default ~/.local/state). */
export function defaultSpoolDir(env: NodeJS.ProcessEnv = process.env, uid: number | undefined = process.getuid?.()): string {
  if (uid === 0) return '/var/lib/comms-watch/spool';
  const state = env.XDG_STATE_HOME && env.XDG_STATE_HOME.startsWith('/') ? env.XDG_STATE_HOME : join(homedir(), '.local', 'state');
  return join(state, 'comms-watch', 'spool');
}

/** Stable per receiver; hashes the URL without userinfo so no credential, and no path token, shows in a file name. */
export function receiverDirName(url: URL): string {
  const bare = new URL(url.href);
  bare.username = '';
  bare.password = '';
  return 'r-' + createHash('sha256').update(bare.href).digest('hex').slice(0, 16);
}

/**
 * Takes `<dir>/lock` for this process. A lock left by a process that no longer exists (kill -9) is taken over;
 * one held by a live process is an error, since two senders on one spool would race on its files.
 */
export async function lockSpool(dir: string): Promise<() => Promise<void>> {
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, 'lock');
  if (heldHere.has(path)) throw new Error(`spool ${dir} is in use by process ${process.pid}`);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await open(path, 'wx', 0o600);
      await fh.writeFile(`${process.pid}\n`);
      await fh.close();
      heldHere.add(path);
      return async () => {
        heldHere.delete(path);
        await unlink(path).catch(() => undefined);
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    // Our own pid in a lock we do not hold means a previous incarnation with the same pid (pid 1 in a container).
    const owner = Number((await readFile(path, 'utf8').catch(() => '')).trim());
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) {
      throw new Error(`spool ${dir} is in use by process ${owner}`);
    }
    await unlink(path).catch(() => undefined);
  }
  throw new Error(`cannot lock spool ${dir}`);
}

/** Locks held by this process: a pid check cannot tell two sinks of one process apart. */
const heldHere = new Set<string>();

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
