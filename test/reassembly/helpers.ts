import { readFileSync } from 'node:fs';
import type { Direction, EndReason, StreamSink } from '../../src/core/stream.js';
import { ConnBudget, GlobalBudget } from '../../src/reassembly/budget.js';
import { TcpStream } from '../../src/reassembly/tcp-stream.js';

/** Real bytes to reassemble: the raw bytes of a corpus capture (any content will do, it must just be real). */
export function corpusBytes(n: number, from = 0): Buffer {
  return Buffer.from(readFileSync('../shared/corpus/zeek/ssh/ssh.pcap').subarray(from, from + n));
}

export type Ev = ['data', Buffer] | ['gap', number] | ['end', EndReason];

export class Recorder implements StreamSink {
  events: Ev[] = [];
  data(_d: Direction, chunk: Buffer): void { this.events.push(['data', Buffer.from(chunk)]); }
  gap(_d: Direction, len: number): void { this.events.push(['gap', len]); }
  end(_d: Direction, reason: EndReason): void { this.events.push(['end', reason]); }
  /** The delivered bytes, concatenated. */
  bytes(): Buffer { return Buffer.concat(this.events.filter((e) => e[0] === 'data').map((e) => e[1] as Buffer)); }
  gaps(): number[] { return this.events.filter((e) => e[0] === 'gap').map((e) => e[1] as number); }
}

export function makeStream(perConn = 1 << 20, global = 1 << 24, history = 2048) {
  const rec = new Recorder();
  const g = new GlobalBudget(global);
  const budget = new ConnBudget(perConn, g);
  const s = new TcpStream(0, rec, budget, history);
  return { rec, s, budget, g };
}

export { rng as prng } from '../helpers/rng.js';
