import { accessSync, constants, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import type { AnalyzeArgs } from './options.js';
import { UsageError } from '../core/usage-error.js';
import { SEVERITIES } from '../findings/finding.js';
import { renderHtmlReport } from '../outputs/html-report.js';
import { JsonLinesSink } from '../outputs/jsonl.js';
import { PathCollector } from '../outputs/path-collector.js';
import { nodeRecord } from '../outputs/node-record.js';
import { ReportBuilder, renderReport } from '../outputs/report.js';
import { sanitize } from '../outputs/sanitize.js';
import { analyzeFiles } from '../pipeline/analyze.js';
import { classify } from '../classify/classify.js';
import type { ClusterModel } from '../cluster/model.js';
import { addr } from '../facts/connection.js';
import { probePlanRecord, probeRecord } from '../outputs/probe-record.js';
import type { OutputRecord } from '../outputs/sink.js';
import type { ProbeResult, ProbeTarget } from '../probe/types.js';
import type { KeyLogStore } from '../secrets/keylog.js';
import { makeScheduler, probeTargetOf } from './probing.js';
import { AnomalyLimiter } from './anomalies.js';
import { Judge } from './judge.js';
import { gatherKnowledge, loadKeyLogs } from './setup.js';
import { analyzeSharded, defaultThreads, usableThreads } from './shards.js';
import { FanOut, webhookSink } from './sinks.js';
import { summaryRecord } from './summary.js';

export interface Io {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable;
  env: NodeJS.ProcessEnv;
}

export interface AnalyzeOutcome {
  exitCode: number;
}

/** `comms-watch analyze`: every file through one pipeline, records out, exit code by SPEC. */
export async function runAnalyze(args: AnalyzeArgs, io: Io): Promise<AnalyzeOutcome> {
  const say = (line: string) => io.stderr.write(`comms-watch: ${line}\n`);
  for (const f of args.files) {
    if (f === '-') continue;
    try {
      accessSync(f, constants.R_OK);
    } catch (e) {
      throw new UsageError(`${f}: cannot read capture: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  if (args.html) {
    // Found out before the analysis, not after minutes of it.
    try {
      accessSync(dirname(args.html), constants.W_OK);
    } catch (e) {
      throw new UsageError(`--html ${args.html}: cannot write there: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
    }
  }
  const knowledge = gatherKnowledge(args);
  const notes = knowledge.notes;
  const secrets = loadKeyLogs(args.keylog, notes);
  for (const n of notes) say(n);

  const probes = args.probe.enabled ? await probeFileServers(args, knowledge.model, secrets, io, say) : null;
  const judge = new Judge(knowledge.model, knowledge.trust, undefined, knowledge.nodeFacts, probes?.results ?? null);
  const limiter = new AnomalyLimiter();
  const out = new FanOut([], (e) => say(`output error: ${e.message}`));
  const json = args.json ? new JsonLinesSink(io.stdout) : null;
  if (json) out.add(json);
  const hook = await webhookSink(args, say);
  if (hook) out.add(hook);
  const color = args.color ?? (Boolean(io.stdout.isTTY) && !io.env.NO_COLOR);
  const report = json ? null : new ReportBuilder(sanitize);
  const page = args.html ? new PathCollector() : null;
  const node = knowledge.nodeFacts === null ? null : nodeRecord(knowledge.nodeFacts);
  if (node && json) json.write(node);
  const probeRecords: OutputRecord[] = [];
  for (const r of probes?.done ?? []) {
    const rec = probeRecord(r, r.handshake.chain ? knowledge.trust.verify(r.handshake.chain, r.atMs, r.target.sni ?? r.target.server.ip) : null);
    probeRecords.push(rec);
    if (json) json.write(rec);
    if (r.problem) {
      const a = limiter.admit({ code: r.problem.code, detail: r.problem.detail, client: r.handshake.local ? addr(r.handshake.local) : '', server: addr(r.target.server), tsMicros: r.atMs * 1000 });
      if (a && json) json.write(a);
      else if (a) say(`probe of ${a.server}: ${a.code}: ${a.detail}`);
    }
  }

  const threads = threadCount(args, say);
  const mode = args.files.includes('-') || process.env.COMMS_WATCH_SHARD_INPUT === 'handoff' ? 'handoff' : 'read';
  const result = await analyzeSharded(args, threads, { lines: json !== null, records: report !== null || page !== null }, mode, (e) => {
    if (e.k === 'c') {
      judge.take(e.j);
      const r = e.j.record;
      if (json) {
        if (e.j.line !== undefined) json.writeLine(e.j.line);
        else json.write(r!);
      }
      if (r) {
        report?.add(r);
        page?.add(r);
      }
    } else {
      const rec = limiter.admit(e.a);
      if (rec && json) json.write(rec);
    }
  }, probes?.results ?? null);

  // Findings go out once, complete: one line per (rule, client ip, server ip:port) with its final count.
  const findings = judge.findings.all();
  for (const f of findings) out.write(f);
  const summary = { ...summaryRecord(args.files, result.stats, judge, limiter, result.damage), threads };
  if (json) json.write(summary);
  if (report) {
    io.stdout.write(renderReport(report, findings, { files: args.files, packets: result.stats.packets, damage: result.damage, node, probes: probeRecords }, { color, width: io.stdout.columns ?? 100, clean: sanitize }));
  }
  if (page && args.html) writeHtml(args.html, renderHtmlReport(page, findings, {
    files: args.files,
    packets: result.stats.packets,
    bytes: result.stats.bytes,
    tcpConnections: result.stats.tcpConnections,
    flowsEvicted: result.stats.flowsEvicted,
    gaps: result.stats.gaps,
    missingBytes: result.stats.missingBytes,
    anomalies: result.stats.anomalies,
    verdicts: judge.verdicts,
    damage: result.damage,
  }));
  await out.flush();
  await out.close();

  if (result.damage) {
    say(`${sanitize(result.damage.file)}: damaged at byte offset ${result.damage.offset}: ${sanitize(result.damage.message)} (analysed up to there)`);
    return { exitCode: 2 };
  }
  if (args.failOn) {
    const limit = SEVERITIES.indexOf(args.failOn);
    if (findings.some((f) => SEVERITIES.indexOf(f.severity) <= limit)) return { exitCode: 3 };
  }
  return { exitCode: 0 };
}

/**
 * `analyze --probe`: a first pass finds the servers of the file's classified paths, which are
 * then probed where they are reachable from here (the common case: analysed on the node), so the
 * real pass judges every connection with what its server's probe learned. The dry run says what
 * would be probed and probes nothing.
 */
async function probeFileServers(args: AnalyzeArgs, model: ClusterModel | null, secrets: KeyLogStore, io: Io, say: (l: string) => void): Promise<{ results: Map<string, ProbeResult>; done: ProbeResult[] }> {
  if (args.files.includes('-')) throw new UsageError('--probe reads the capture twice: it cannot read stdin (-); write it to a file first');
  const targets = new Map<string, ProbeTarget>();
  await analyzeFiles(args.files, {
    secrets,
    decryptApp: false,
    limits: { maxFlows: args.maxFlows },
    onConnection: (c) => {
      const t = probeTargetOf(c, classify(c, model).path);
      if (t !== null && !targets.has(addr(t.server))) targets.set(addr(t.server), t);
    },
    onAnomaly: () => {},
  });
  const done: ProbeResult[] = [];
  const results = new Map<string, ProbeResult>();
  if (args.probe.dryRun) {
    for (const t of targets.values()) {
      const plan = probePlanRecord(t);
      if (args.json) io.stdout.write(`${JSON.stringify(plan)}\n`);
      else say(`would probe ${plan.server} (${plan.path}): ${(plan.would_send as string[]).join('; ')}`);
    }
    return { results, done };
  }
  const scheduler = makeScheduler(args.probe, null, (r) => {
    done.push(r);
    results.set(addr(r.target.server), r);
  });
  for (const t of targets.values()) scheduler.offer(t);
  if (targets.size > 0) say(`probing ${targets.size} server(s) seen in the capture`);
  await scheduler.idle();
  return { results, done };
}

/** Below this much input, starting worker threads costs more than they save. */
const SHARD_FROM_BYTES = 64 << 20;

/**
 * `--threads`, else: one per core (at most 4) for inputs large enough to gain from it. Standard
 * input cannot be read by every shard, and probe results stay in this thread: both run in one.
 */
function threadCount(args: AnalyzeArgs, say: (l: string) => void): number {
  const one = args.probe.enabled ? '--probe judges in one thread' : null;
  if (one !== null) {
    if (args.threads !== null && args.threads > 1) say(`--threads ${args.threads}: ${one}`);
    return 1;
  }
  if (args.threads !== null) return usableThreads(args.threads, say);
  if (args.files.includes('-')) return 1;
  const bytes = args.files.reduce((n, f) => n + statSync(f).size, 0);
  return bytes < SHARD_FROM_BYTES ? 1 : defaultThreads();
}

/** Through a temporary name, so that a reader never opens half a report. */
function writeHtml(path: string, text: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, path);
}
