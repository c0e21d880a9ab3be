import type { CertFacts, TlsFacts } from '../core/facts.js';
import type { Endpoint } from '../facts/connection.js';

/** A server to probe: seen as a server in traffic on a classified path, or named on the command line. */
export interface ProbeTarget {
  server: Endpoint;
  /** The path it was seen on (SPEC path names); decides what is sent (a kubelet also gets `GET /pods`). */
  path: string;
  /** The name the traffic's clients asked for (SNI), sent again and checked against the chain. */
  sni: string | null;
  /** Why the wire did not answer on its own (said in the dry run and the probe record). */
  why: string[];
}

export type VersionName = 'TLS 1.0' | 'TLS 1.1' | 'TLS 1.2' | 'TLS 1.3';
export const VERSION_NAMES: readonly VersionName[] = ['TLS 1.0', 'TLS 1.1', 'TLS 1.2', 'TLS 1.3'];

/** What went wrong with a target, as an anomaly code (`probe.timeout` ...) and one line. */
export interface ProbeProblem {
  code: 'probe.timeout' | 'probe.reset' | 'probe.refused' | 'probe.not_tls' | 'probe.handshake_failed' | 'probe.error';
  detail: string;
}

/** What one probe of one server learned; facts only, judged by the rules. */
export interface ProbeResult {
  target: ProbeTarget;
  /** Wall-clock ms when the probe started. */
  atMs: number;
  /** The first handshake (the client's default versions, no client certificate). */
  handshake: {
    /** Our own end of it, so that its packets are known as ours. */
    local: Endpoint | null;
    /** The TLS facts of the probe's own connection, decrypted with its own key log. */
    tls: TlsFacts | null;
    chain: CertFacts[] | null;
    /** The server asked for a client certificate (a CertificateRequest came). */
    certificateRequest: boolean | null;
    caNames: string[];
    /** The server refused the handshake once it saw no client certificate (TLS alert after Finished). */
    clientCertRequired: boolean;
  };
  /** Per version: accepted, refused, or null when the attempt could not tell (timeout, reset). */
  versions: Record<VersionName, boolean | null>;
  /** Status of one unauthenticated `GET /pods` to a kubelet; null when not sent or unanswered. */
  anonymousStatus: number | null;
  /** TCP connections the probe opened to this server. */
  connections: number;
  problem: ProbeProblem | null;
}
