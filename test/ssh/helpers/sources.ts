import { analyzeFiles } from '../../../src/pipeline/analyze.js';
import type { ConnectionFacts } from '../../../src/facts/connection.js';
import type { DissectorFactory } from '../../../src/core/dissector.js';
import { followTcpAsync, orient, type FollowedStream } from './follow.js';
import { runChunks } from './run.js';

const CORPUS = '../shared/corpus';

/** One connection's facts with its endpoints, however they were obtained. */
export interface Seen<F> { clientPort: number; serverPort: number; facts: F | null; tunnel: ConnectionFacts['tunnel'] }

/**
 * Two ways to get a capture's facts: our own pipeline (`analyzeFiles`), and tshark's TCP reassembly
 * (`-z follow,tcp,raw`) fed straight to the dissector, oriented by the given client port.
 */
export interface Source<F> {
  name: string;
  conns(path: string): Promise<Array<Seen<F>>>;
  /** Warms the cache for many captures at once. */
  prefetch(paths: string[]): Promise<void>;
}

export function pipelineSource<F>(pick: (c: ConnectionFacts) => F | null): Source<F> {
  const cache = new Map<string, ConnectionFacts[]>();
  return {
    name: 'pipeline',
    async conns(path) {
      let cs = cache.get(path);
      if (!cs) {
        const out: ConnectionFacts[] = [];
        await analyzeFiles([`${CORPUS}/${path}`], { onConnection: (c) => out.push(c) });
        cache.set(path, (cs = out));
      }
      return cs.map((c) => ({ clientPort: c.client.port, serverPort: c.server.port, facts: pick(c), tunnel: c.tunnel }));
    },
    async prefetch() {},
  };
}

/** tshark-followed streams; `clientPort` picks the client side, else the lower-numbered well-known port is the server. */
export function followSource<F>(factory: DissectorFactory, clientPortOf: (path: string, ports: [number, number]) => number): Source<F> {
  const cache = new Map<string, Array<Seen<F>>>();
  const followed = new Map<string, Promise<FollowedStream[]>>();
  const follow = (path: string): Promise<FollowedStream[]> => {
    let p = followed.get(path);
    if (!p) followed.set(path, (p = followTcpAsync(`${CORPUS}/${path}`)));
    return p;
  };
  return {
    name: 'tshark follow',
    async prefetch(paths) {
      for (let i = 0; i < paths.length; i += 4) await Promise.all(paths.slice(i, i + 4).map(follow));
    },
    async conns(path) {
      let cs = cache.get(path);
      if (!cs) {
        cs = (await follow(path)).map((s) => {
          const client = clientPortOf(path, [s.node0.port, s.node1.port]);
          const server = client === s.node0.port ? s.node1.port : s.node0.port;
          return { clientPort: client, serverPort: server, facts: runChunks<F>(factory, orient(s, client), true).facts, tunnel: null };
        });
        cache.set(path, cs);
      }
      return cs;
    },
  };
}
