import type { WatchArgs } from './options.js';
import { defaultInterface, dropPrivileges, LiveCaptureError, openLive, type LiveSource } from '../capture/live.js';
import type { Dashboard } from '../dashboard/app.js';
import type { FindingRecord } from '../findings/finding.js';
import { JsonLinesSink } from '../outputs/jsonl.js';
import { MetricsSink } from '../outputs/metrics.js';
import type { NodeFacts } from '../node/facts.js';
import { nodeRecord } from '../outputs/node-record.js';
import { addr, type ConnectionFacts } from '../facts/connection.js';
import { AnomalyLimiter } from './anomalies.js';
import type { Io } from './analyze.js';
import { Judge } from './judge.js';
import { gatherKnowledge, loadKeyLogs } from './setup.js';
import { FanOut, webhookSink } from './sinks.js';
import { summaryRecord } from './summary.js';
import { LiveShard, type LiveEvent } from './live-shard.js';
import { liveShards, singleEngine, type LiveEngine } from './live-engine.js';
import { defaultThreads, usableThreads } from './shards.js';
import { makeScheduler, ProbePlan, probeTargetOf } from './probing.js';
import { OwnTraffic } from '../probe/own-traffic.js';
import type { ProbeResult } from '../probe/types.js';
import type { PathName } from '../classify/path-class.js';
import { probePlanRecord, probeRecord } from '../outputs/probe-record.js';

/** Node files read before the privilege drop that a re-read could not open. */
function nodeFilesLost(before: NodeFacts | null, after: NodeFacts | null): string[] {
  if (before === null || after === null) return [];
  const now = new Map(after.files.map((f) => [f.path, f.status]));
  return before.files.filter((f) => f.status === 'read' && now.get(f.path) === 'unreadable').map((f) => f.path);
}

/** How often count updates of known findings go out (new findings go out at once). */
const UPDATE_EVERY_MS = 10_000;
/** How often flows are aged on the wall clock. */
const EXPIRE_EVERY_MS = 1000;

/**
 * `comms-watch [watch]`: live capture through the same pipeline as analyze. Root opens the
 * capture, then privileges are dropped before the first packet is parsed.
 */
export async function runWatch(args: WatchArgs, io: Io): Promise<number> {
  let dashboard: Dashboard | null = null;
  // Written to a terminal the dashboard draws on, a line would break its screen.
  const say = (line: string) => (dashboard !== null ? dashboard.note(line) : io.stderr.write(`comms-watch: ${line}\n`));
  const knowledge = gatherKnowledge(args, { localInterfaces: true });
  const secrets = loadKeyLogs(args.keylog, knowledge.notes);
  const iface = args.iface ?? defaultInterface();
  const filter = args.filter ?? 'tcp';
  let source: LiveSource;
  try {
    source = openLive({ iface, filter, snaplen: args.snaplen, bufferBytes: args.bufferMiB << 20, promisc: args.promisc });
  } catch (e) {
    if (e instanceof LiveCaptureError) {
      say(e.message);
      return 1;
    }
    throw e;
  }
  if (args.probe.enabled && args.threads !== null && args.threads > 1) say(`--threads ${args.threads}: --probe judges in one thread`);
  const threads = args.probe.enabled ? 1 : args.threads !== null ? usableThreads(args.threads, say) : defaultThreads();
  // Shards start before the privilege drop and read what they need (key logs, node files: often
  // root's alone) as the main thread did; the drop then applies to every thread of the process.
  let onShardEvent: (e: LiveEvent) => void = () => {};
  const pool = threads > 1 ? liveShards(args, threads, (e) => onShardEvent(e), (e) => say(`shard failed: ${e.message}`)) : null;
  if (pool) await pool.ready;
  let dropped: string;
  try {
    dropped = dropPrivileges(args.user);
  } catch (e) {
    await pool?.finish();
    await source.close();
    if (e instanceof LiveCaptureError) {
      say(e.message);
      return 1;
    }
    throw e;
  }
  for (const n of knowledge.notes) say(n);

  // The probe starts here, after the privilege drop: it needs no root and never gets it.
  const own = args.probe.enabled && !args.probe.dryRun ? new OwnTraffic() : null;
  const plan = args.probe.dryRun ? new ProbePlan(args.probe.intervalMs) : null;
  const lastSeen = new Map<string, ConnectionFacts>();
  let ownIgnored = 0;
  const scheduler = own ? makeScheduler(args.probe, own, (r) => onProbed(r)) : null;
  const judge = new Judge(knowledge.model, knowledge.trust, undefined, knowledge.nodeFacts, scheduler?.results ?? null);
  const limiter = new AnomalyLimiter();
  const useTui = Boolean(io.stdout.isTTY) && !args.noTui;
  const out = new FanOut([], (e) => say(`output error: ${e.message}`));
  const json = useTui ? null : new JsonLinesSink(io.stdout);
  const records = new FanOut([], (e) => say(`output error: ${e.message}`));
  if (json) records.add(json);
  const hook = await webhookSink(args, say);
  if (hook) out.add(hook);

  let engine: LiveEngine;
  const totals = () => {
    const s = source.stats();
    const st = engine.stats();
    return { packets: st.packets, bytes: st.bytes, kernelDrops: s.kernelDrops, ifaceDrops: s.ifaceDrops, connections: 0, flowsEvicted: st.flowsEvicted };
  };
  let metrics: MetricsSink | null = null;
  if (args.metrics) {
    metrics = new MetricsSink(totals);
    const where = await metrics.listen(args.metrics);
    say(`metrics on http://${where.host.includes(':') ? `[${where.host}]` : where.host}:${where.port}/metrics`);
    out.add(metrics);
  }
  let stopping: Promise<number> | null = null;
  let finished!: (code: number) => void;
  const done = new Promise<number>((resolve) => (finished = resolve));
  const stop = (): Promise<number> => {
    if (stopping === null) {
      stopping = shutdown();
      void stopping.then(finished);
    }
    return stopping;
  };
  if (useTui) {
    // blessed and blessed-contrib (lodash, esprima, map data...) load only for the dashboard: every other
    // run of the tool, `analyze` included, would carry their code and memory for nothing.
    const { Dashboard } = await import('../dashboard/app.js');
    dashboard = new Dashboard({ source: `${iface} "${filter}"`, totals, onQuit: () => void stop(), afterwards: io.stderr });
    out.add(dashboard);
  }

  const dirty = new Map<string, FindingRecord>();
  const emitFinding = (f: FindingRecord) => {
    if (f.revision === 1) {
      out.write(f);
      records.write(f);
    } else {
      dirty.set(f.id, f);
    }
  };
  const offerProbe = (c: ConnectionFacts, path: PathName) => {
    if (!scheduler && !plan) return;
    const t = probeTargetOf(c, path);
    if (t === null) return;
    if (plan) {
      if (plan.admit(t)) records.write(probePlanRecord(t));
      return;
    }
    if (scheduler!.offer(t)) lastSeen.set(addr(t.server), c);
  };
  // A probe answered: its record, its trouble as an anomaly, and the findings it settles for the
  // connection that made us probe (later connections to the server are judged with it directly).
  const onProbed = (r: ProbeResult) => {
    const key = addr(r.target.server);
    const rec = probeRecord(r, r.handshake.chain ? knowledge.trust.verify(r.handshake.chain, r.atMs, r.target.sni ?? r.target.server.ip) : null);
    out.write(rec);
    records.write(rec);
    if (r.problem) {
      const a = limiter.admit({ code: r.problem.code, detail: r.problem.detail, client: r.handshake.local ? addr(r.handshake.local) : '', server: key, tsMicros: r.atMs * 1000 });
      if (a) {
        out.write(a);
        records.write(a);
      }
    }
    const c = lastSeen.get(key);
    lastSeen.delete(key);
    if (c) for (const f of judge.reconsider(c)) emitFinding(f);
  };
  // The probe's own connections are ours, not the cluster's: never judged, only counted.
  const ours = (c: ConnectionFacts) => own !== null && own.owns(c.server.ip, c.server.port, c.client.port);
  // Everything the shards judged meets here: findings deduplicated across them, one output stream.
  const onEvent = (e: LiveEvent) => {
    switch (e.k) {
      case 'judged': {
        const findings = judge.take(e.j);
        out.write(e.j.record!);
        records.write(e.j.record!);
        for (const f of findings) emitFinding(f);
        if (e.c) offerProbe(e.c, e.j.path as PathName);
        return;
      }
      case 'early':
        for (const f of judge.add(e.groups)) emitFinding(f);
        return;
      case 'end':
        out.write(e.end);
        records.write(e.end);
        return;
      case 'anomaly': {
        const rec = limiter.admit(e.a);
        if (rec) {
          out.write(rec);
          records.write(rec);
        }
        return;
      }
      case 'own':
        ownIgnored++;
    }
  };
  onShardEvent = onEvent;
  engine = pool ?? singleEngine(new LiveShard(judge.assessor, { secrets, decryptApp: args.decryptApp, maxFlows: args.maxFlows, shard: null, owns: ours, withFacts: true }, onEvent));

  const flushUpdates = () => {
    for (const f of dirty.values()) {
      out.write(f);
      records.write({ type: 'finding_update', id: f.id, rule: f.rule, count: f.count, last_seen: f.last_seen, revision: f.revision });
    }
    dirty.clear();
  };
  // The pipeline ages flows on packet time every few thousand packets; on a quiet link that could be
  // never, so closed and idle connections are also expired on the wall clock (libpcap stamps packets with it).
  const expire = () => engine.expire(Date.now() * 1000);
  const timers = [setInterval(flushUpdates, UPDATE_EVERY_MS), setInterval(expire, EXPIRE_EVERY_MS)];

  let exitCode = 0;
  async function shutdown(): Promise<number> {
    for (const t of timers) clearInterval(t);
    scheduler?.stop();
    await source.close();
    const stats = await engine.finish();
    flushUpdates();
    const s = source.stats();
    const summary = summaryRecord([`live:${iface}`], stats, judge, limiter, null, { kernel: s.kernelDrops, iface: s.ifaceDrops });
    summary.threads = threads;
    if (threads > 1) (summary.drops as Record<string, number>).shards = engine.dropped();
    if (scheduler) summary.probe = { servers: scheduler.results.size, own_connections_ignored: ownIgnored, refused: scheduler.refused };
    records.write(summary);
    await Promise.all([out.flush(), records.flush()]);
    await Promise.all([out.close(), records.close()]);
    say(`stopped: ${stats.packets} packets, ${s.kernelDrops} dropped by the kernel, ${judge.findings.size} findings`);
    return exitCode;
  }

  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  // What the files say is state, not an alert: to the JSON lines and the dashboard, never the webhook.
  const writeNode = (n: NodeFacts) => {
    const r = nodeRecord(n);
    records.write(r);
    dashboard?.write(r);
  };
  process.on('SIGHUP', () => {
    try {
      const k = gatherKnowledge(args, { localInterfaces: true });
      for (const n of k.notes) say(n);
      // After the privilege drop, root-only files (kubeadm's 0600 manifests) cannot be read again:
      // what they said at start stays in force rather than vanishing.
      const lost = nodeFilesLost(nodeFacts, k.nodeFacts);
      if (lost.length > 0) say(`node files readable at start are not now (${lost.join(', ')}): keeping what was read before`);
      else nodeFacts = k.nodeFacts;
      judge.reload(k.model, k.trust, nodeFacts);
      engine.reload(lost.length > 0);
      if (nodeFacts) writeNode(nodeFacts);
      say(`reloaded the cluster model and trust bundles${nodeFacts ? ' and the node files' : ''}`);
    } catch (e) {
      say(`reload failed, keeping the old model: ${(e as Error).message}`);
    }
  });
  let nodeFacts = knowledge.nodeFacts;
  if (nodeFacts) writeNode(nodeFacts);
  source.start((rec) => engine.packet(rec), {
    broken: (reason) => say(`capture on ${iface} broken: ${reason}; re-establishing it`),
    recovered: (how, detail) => {
      metrics?.captureReopened(how);
      say(`capture on ${iface} ${how}: ${detail}`);
    },
    // Better a stop that a supervisor (the DaemonSet) restarts than a capture that looks alive and sees nothing.
    lost: (reason) => {
      say(`capture on ${iface} lost: ${reason}; stopping`);
      exitCode = 1;
      void stop();
    },
  });
  // Said last, once the signal handlers are in place: from this line on SIGTERM is a clean stop.
  say(`capturing on ${iface} (filter "${filter}", link type ${source.linkType}); ${dropped}`);
  return done;
}
