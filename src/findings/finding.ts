/** SPEC `finding` record, identified by (rule, client ip, server ip:port). */
export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];

// A type alias rather than an interface, so it is assignable to OutputRecord's index signature.
export type FindingRecord = {
  type: 'finding';
  rule: string;
  severity: Severity;
  path: string;
  client: string;
  server: string;
  first_seen: string;
  last_seen: string;
  count: number;
  evidence: Record<string, unknown>;
  remediation: string;
  cis?: string[];
  /** Stable identifier: rule|client ip|server ip:port. */
  id: string;
  /** Bumped each time count or evidence changes; id + revision is the webhook idempotency key. */
  revision: number;
};
