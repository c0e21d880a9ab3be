import type { ConnectionFacts, Endpoint } from '../facts/connection.js';

/** `ip:port`, `[v6]:port` or `name:port` of a CONNECT request line. */
function authorityEndpoint(authority: string): Endpoint | null {
  const m = /^\[([^\]]+)\]:(\d{1,5})$/.exec(authority) ?? /^([^:\s]+):(\d{1,5})$/.exec(authority);
  if (!m) return null;
  const port = Number(m[2]);
  return port > 0 && port < 65536 ? { ip: m[1]!, port } : null;
}

/**
 * What an HTTP CONNECT tunnel carried, as a connection of its own: from the same client to the
 * CONNECT target, with the tunnel's protocol layers as its own. Null when nothing was tunnelled.
 * The carried connection is classified and judged like any other, so a kubelet session inside a
 * konnectivity tunnel is judged as the kubelet path it is.
 */
export function carriedConnection(c: ConnectionFacts): ConnectionFacts | null {
  const connect = c.http?.connect;
  const t = c.tunnel;
  if (!connect || !t) return null;
  const server = authorityEndpoint(connect.authority);
  if (server === null) return null;
  return { ...c, server, proto: t.proto, tls: t.tls, ssh: t.ssh, http: t.http, http2: t.http2, tunnel: null, anomalies: [] };
}

/** The tunnelling connection on its own: what crossed the wire outside the tunnel. */
export function outsideTunnel(c: ConnectionFacts): ConnectionFacts {
  return c.tunnel === null ? c : { ...c, tunnel: null };
}
