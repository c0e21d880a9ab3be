/**
 * Request bodies for the three receiver formats. Bodies are built at send time (not at spool time) so that
 * time-relative fields such as Alertmanager's endsAt are computed when the alert actually leaves.
 */
import type { FindingRecord } from '../../findings/finding.js';

export type WebhookFormat = 'json' | 'slack' | 'alertmanager';

export interface FormattedRequest {
  /** Appended to the receiver URL (Alertmanager's API path), or '' to post to the URL as given. */
  path: string;
  body: Buffer;
}

/** Paths whose node side is the server (the apiserver or control plane dials into the node). */
const NODE_IS_SERVER = new Set(['apiserver-kubelet', 'kubelet-readonly', 'apiserver-proxy', 'ssh-tunnel']);

/** How long Alertmanager keeps an alert firing without a refresh: findings describe configuration, not events. */
const ALERT_TTL_MS = 24 * 3600 * 1000;

export const AM_PATH = '/api/v2/alerts';

export function idempotencyKey(f: Pick<FindingRecord, 'id' | 'revision'>): string {
  return `${f.id}#${f.revision}`;
}

/** "10.0.0.1:443" -> "10.0.0.1", "[fd00::1]:443" -> "fd00::1". */
export function hostOf(endpoint: string): string {
  if (endpoint.startsWith('[')) {
    const end = endpoint.indexOf(']');
    return end > 0 ? endpoint.slice(1, end) : endpoint;
  }
  const colon = endpoint.lastIndexOf(':');
  return colon > 0 ? endpoint.slice(0, colon) : endpoint;
}

/** The node side of a path; paths with no node at either end (etcd, control plane) report the client. */
export function nodeSide(f: FindingRecord): string {
  return hostOf(NODE_IS_SERVER.has(f.path) ? f.server : f.client);
}

export function formatBatch(format: WebhookFormat, findings: FindingRecord[], now: number): FormattedRequest {
  switch (format) {
    case 'json':
      return { path: '', body: Buffer.from(JSON.stringify(jsonBody(findings))) };
    case 'slack':
      return { path: '', body: Buffer.from(JSON.stringify(slackBody(findings))) };
    case 'alertmanager':
      return { path: AM_PATH, body: Buffer.from(JSON.stringify(findings.map((f) => amAlert(f, now)))) };
  }
}

function jsonBody(findings: FindingRecord[]): unknown {
  const envelopes = findings.map((f) => ({ idempotency_key: idempotencyKey(f), finding: f }));
  return envelopes.length === 1 ? envelopes[0] : envelopes;
}

/** Slack mrkdwn treats only these three as control characters. */
function slackEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function slackBody(findings: FindingRecord[]): unknown {
  const blocks: unknown[] = [];
  for (const f of findings) {
    const head = f.revision > 1 ? `update (count ${f.count})` : 'new finding';
    const evidence = JSON.stringify(f.evidence);
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: slackEscape(
          `*[${f.severity.toUpperCase()}] ${f.rule}* (${head})\n` +
            `path \`${f.path}\`: ${f.client} -> ${f.server}, seen ${f.count}x since ${f.first_seen}\n` +
            `evidence: \`${evidence.length > 500 ? evidence.slice(0, 500) + '...' : evidence}\`\n` +
            `fix: ${f.remediation}`,
        ),
      },
    });
    blocks.push({ type: 'context', elements: [{ type: 'mrkdwn', text: slackEscape(`key ${idempotencyKey(f)}`) }] });
  }
  const text =
    findings.length === 1
      ? `[${findings[0].severity}] ${findings[0].rule}: ${findings[0].client} -> ${findings[0].server}`
      : `${findings.length} comms-watch findings`;
  return { text: slackEscape(text), blocks };
}

function amAlert(f: FindingRecord, now: number): unknown {
  const annotations: Record<string, string> = {
    summary: `${f.rule} on ${f.path}: ${f.client} -> ${f.server}`,
    evidence: JSON.stringify(f.evidence),
    remediation: f.remediation,
    count: String(f.count),
    idempotency_key: idempotencyKey(f),
  };
  if (f.cis && f.cis.length > 0) annotations.cis = f.cis.join(',');
  const started = Date.parse(f.first_seen);
  return {
    labels: {
      alertname: f.rule,
      rule: f.rule,
      severity: f.severity,
      path: f.path,
      node: nodeSide(f),
      client: hostOf(f.client),
      server: f.server,
    },
    annotations,
    // Packet time, so a capture analysed later still shows when the problem was on the wire.
    startsAt: Number.isFinite(started) ? new Date(started).toISOString() : new Date(now).toISOString(),
    endsAt: new Date(now + ALERT_TTL_MS).toISOString(),
  };
}
