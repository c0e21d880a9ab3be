import type { ProbeArgs } from './options.js';
import type { Io } from './analyze.js';
import { AnomalyLimiter } from './anomalies.js';
import { Judge } from './judge.js';
import { makeScheduler, namedTargets } from './probing.js';
import { gatherKnowledge } from './setup.js';
import { FanOut, webhookSink } from './sinks.js';
import { SEVERITIES } from '../findings/finding.js';
import { JsonLinesSink } from '../outputs/jsonl.js';
import { probePlanRecord, probeRecord, probeReportLines } from '../outputs/probe-record.js';
import { sanitize } from '../outputs/sanitize.js';
import type { ProbeResult } from '../probe/types.js';
import { addr } from '../facts/connection.js';

/**
 * `comms-watch probe HOST:PORT...`: probes the named servers (the command line is the consent),
 * judges what each served as the path it stands on, and writes probe records and findings.
 */
export async function runProbe(args: ProbeArgs, io: Io): Promise<number> {
  const say = (line: string) => io.stderr.write(`comms-watch: ${line}\n`);
  const targets = await namedTargets(args.targets, args.path, args.sni);
  const json = args.json || !io.stdout.isTTY ? new JsonLinesSink(io.stdout) : null;
  const text = (line: string) => io.stdout.write(`${line}\n`);
  if (args.probe.dryRun) {
    for (const t of targets) {
      const plan = probePlanRecord(t);
      if (json) json.write(plan);
      else text(`would probe ${plan.server} (${plan.path}): ${(plan.would_send as string[]).join('; ')}`);
    }
    await json?.flush();
    return 0;
  }
  const knowledge = gatherKnowledge(args);
  for (const n of knowledge.notes) say(n);
  const results = new Map<string, ProbeResult>();
  const judge = new Judge(knowledge.model, knowledge.trust, undefined, knowledge.nodeFacts, results);
  const limiter = new AnomalyLimiter();
  const out = new FanOut([], (e) => say(`output error: ${e.message}`));
  if (json) out.add(json);
  const hook = await webhookSink(args, say);
  const alerts = new FanOut(hook ? [hook] : [], (e) => say(`output error: ${e.message}`));
  const done: ProbeResult[] = [];
  const scheduler = makeScheduler(args.probe, null, (r) => done.push(r));
  for (const t of targets) scheduler.offer(t);
  await scheduler.idle();
  for (const r of done) results.set(addr(r.target.server), r);
  let worst = SEVERITIES.length;
  for (const r of done) {
    const j = judge.judgeProbe(r);
    const rec = probeRecord(r, j.check);
    if (json) {
      json.write(rec);
      if (r.problem) {
        const a = limiter.admit({ code: r.problem.code, detail: r.problem.detail, client: r.handshake.local ? addr(r.handshake.local) : '', server: addr(r.target.server), tsMicros: r.atMs * 1000 });
        if (a) json.write(a);
      }
    } else {
      for (const l of probeReportLines(rec, sanitize)) text(l);
    }
    for (const f of j.findings) {
      worst = Math.min(worst, SEVERITIES.indexOf(f.severity));
      alerts.write(f);
      if (json) json.write(f);
      else text(`      ${f.severity.toUpperCase()} ${f.rule}: ${f.remediation}`);
    }
  }
  await Promise.all([out.flush(), alerts.flush()]);
  await Promise.all([out.close(), alerts.close()]);
  if (args.failOn !== null && worst <= SEVERITIES.indexOf(args.failOn)) return 3;
  const unanswered = done.filter((r) => r.handshake.chain === null).map((r) => addr(r.target.server));
  if (unanswered.length > 0) say(`no TLS answer from ${unanswered.join(', ')}`);
  return 0;
}
