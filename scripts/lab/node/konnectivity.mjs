// Konnectivity on the wire, both halves that reach TCP:
//   agent-server  --listen H:P [--cert N --ca N --require-cert] [--cleartext] [--keylog F]
//                 konnectivity-server's agent port: gRPC /AgentService/Connect over h2 (TLS, ALPN h2)
//   agent         --server H:P [--ca N] [--cert N] [--token] [--cleartext] [--keylog F]
//                 konnectivity-agent: dials, answers one DIAL_REQ / DATA / CLOSE_REQ round
//   frontend      --listen H:P [--cert N --ca N] [--keylog F]
//                 konnectivity-server's HTTP-CONNECT frontend (mTLS unless --cleartext)
//   connect       --server H:P --target IP:PORT [--cert N --ca N] [--keylog F]
//                 kube-apiserver's egress selector tunnelHTTPConnect, then TLS to the kubelet inside
import http2 from 'node:http2';
import net from 'node:net';
import tls from 'node:tls';
import { randomUUID } from 'node:crypto';
import { args, tlsOptions, keylogTo, saToken, sleep } from './common.mjs';

const o = args();
const mode = o._[0];

// Protobuf encoding of agent.proto's Packet, just the fields used here.
const varint = (n) => { const b = []; let v = BigInt(n); do { let x = Number(v & 0x7fn); v >>= 7n; if (v) x |= 0x80; b.push(x); } while (v); return Buffer.from(b); };
const fVar = (f, n) => Buffer.concat([varint(f << 3), varint(n)]);
const fLen = (f, buf) => Buffer.concat([varint((f << 3) | 2), varint(buf.length), buf]);
const str = (s) => Buffer.from(s);
const packet = (type, field, body) => Buffer.concat([type ? fVar(1, type) : Buffer.alloc(0), fLen(field, body)]);
// gRPC message framing: compressed flag, 4-byte big-endian length.
const grpcFrame = (msg) => { const h = Buffer.alloc(5); h.writeUInt32BE(msg.length, 1); return Buffer.concat([h, msg]); };
const DIAL_REQ = 0, DIAL_RSP = 1, CLOSE_REQ = 2, CLOSE_RSP = 3, DATA = 4;
const RANDOM = 5577006791947779410n;

function splitHostPort(s) { const i = s.lastIndexOf(':'); return [s.slice(0, i).replace(/^\[|\]$/g, ''), Number(s.slice(i + 1))]; }

function agentServer() {
  const [host, port] = splitHostPort(o.listen);
  const opts = o.cleartext ? {} : { ...tlsOptions(o), requestCert: !!o['require-cert'], rejectUnauthorized: !!o['require-cert'] };
  const server = o.cleartext ? http2.createServer(opts) : http2.createSecureServer(opts);
  if (!o.cleartext) keylogTo(o.keylog, server);
  server.on('stream', async (stream, headers) => {
    console.error(`${headers[':path']} agentid=${headers.agentid} auth=${headers.authorization ? 'bearer' : 'none'}`);
    // grpc-go sends no date header; Node adds one unless told not to.
    stream.respond({ ':status': 200, 'content-type': 'application/grpc', serverid: 'b2f3c4d5-6e7f-4a8b-9c0d-1e2f3a4b5c6d', servercount: '1' }, { sendDate: false });
    stream.on('data', () => {});
    // The server drives the tunnel: it asks the agent to dial, sends a request, closes.
    stream.write(grpcFrame(packet(DIAL_REQ, 2, Buffer.concat([fLen(1, str('tcp')), fLen(2, str('10.244.1.7:8080')), fVar(3, RANDOM)]))));
    await sleep(150);
    stream.write(grpcFrame(packet(DATA, 4, Buffer.concat([fVar(1, 1), fLen(3, str('GET /healthz HTTP/1.1\r\nHost: 10.244.1.7:8080\r\nUser-Agent: kube-probe/1.32\r\n\r\n'))]))));
    await sleep(150);
    stream.write(grpcFrame(packet(CLOSE_REQ, 5, fVar(1, 1))));
    stream.on('end', () => stream.end(undefined, () => {}));
    stream.on('wantTrailers', () => stream.sendTrailers({ 'grpc-status': '0' }));
  });
  server.listen(port, host, () => console.error(`listening ${o.listen}`));
}

async function agent() {
  const [host, port] = splitHostPort(o.server);
  const scheme = o.cleartext ? 'http' : 'https';
  // grpc-go dials by IP without SNI and offers ALPN h2; the key log must be attached before the handshake.
  const createConnection = () => {
    const s = tls.connect({ host, port, ...tlsOptions(o), ALPNProtocols: ['h2'], servername: o.servername ?? '' });
    keylogTo(o.keylog, s);
    return s;
  };
  const session = http2.connect(`${scheme}://${o.server}`, o.cleartext ? {} : { createConnection });
  session.on('error', (e) => console.error('session', e.message));
  const md = {
    ':method': 'POST', ':path': '/AgentService/Connect', ':scheme': scheme, ':authority': o.server,
    'content-type': 'application/grpc', te: 'trailers', 'user-agent': 'grpc-go/1.68.1',
    agentid: 'node1', agentidentifiers: 'ipv4=10.20.1.5&host=node1&cidr=10.244.1.0%2F24&default-route=',
  };
  if (o.token) md.authorization = `Bearer ${saToken({ ns: 'kube-system', sa: 'konnectivity-agent', aud: 'system:konnectivity-server' })}`;
  const stream = session.request(md, { endStream: false });
  let seen = 0;
  stream.on('data', (chunk) => {
    // One reply per server packet, in order: DIAL_RSP, DATA, CLOSE_RSP.
    for (let off = 0; off + 5 <= chunk.length; off += 5 + chunk.readUInt32BE(off + 1)) {
      seen++;
      if (seen === 1) stream.write(grpcFrame(packet(DIAL_RSP, 3, Buffer.concat([fVar(2, 1), fVar(3, RANDOM)]))));
      if (seen === 2) stream.write(grpcFrame(packet(DATA, 4, Buffer.concat([fVar(1, 1), fLen(3, str('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok'))]))));
      if (seen === 3) { stream.write(grpcFrame(packet(CLOSE_RSP, 6, fVar(2, 1)))); stream.end(); }
    }
  });
  stream.on('close', () => { console.error(`agent stream closed after ${seen} packets`); session.close(); });
  setTimeout(() => session.destroy(), 4000).unref();
}

// The frontend answers exactly like pkg/server/tunnel.go, then plays the far end (the kubelet)
// inside the tunnel, with the given inner serving identity.
function frontend() {
  const [host, port] = splitHostPort(o.listen);
  const onConn = (sock) => {
    let head = '';
    const onData = (d) => {
      head += d.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end < 0) return;
      sock.removeListener('data', onData);
      console.error(`frontend got ${JSON.stringify(head.slice(0, end))}`);
      if (!head.startsWith('CONNECT ')) { sock.end('HTTP/1.1 405 Method Not Allowed\r\n\r\n'); return; }
      sock.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      const inner = new tls.TLSSocket(sock, { isServer: true, ...tlsOptions({ pki: o.pki, cert: o['inner-cert'], ca: o['inner-ca'] }), requestCert: true, rejectUnauthorized: false });
      keylogTo(o.keylog, inner);
      inner.on('data', () => inner.end('HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 25\r\n\r\nI1128 10:00:00 serving ok'));
      inner.on('error', (e) => console.error('inner', e.message));
    };
    sock.on('data', onData);
    sock.on('error', (e) => console.error('frontend', e.message));
  };
  const server = o.cleartext
    ? net.createServer(onConn)
    : tls.createServer({ ...tlsOptions(o), requestCert: true, rejectUnauthorized: true }, onConn);
  if (!o.cleartext) keylogTo(o.keylog, server);
  server.listen(port, host, () => console.error(`listening ${o.listen}`));
}

async function connect() {
  const [host, port] = splitHostPort(o.server);
  const outer = o.cleartext
    ? net.connect(port, host)
    : tls.connect({ host, port, ...tlsOptions(o), servername: '' });
  if (!o.cleartext) keylogTo(o.keylog, outer);
  await new Promise((r, j) => { outer.once(o.cleartext ? 'connect' : 'secureConnect', r); outer.once('error', j); });
  outer.write(`CONNECT ${o.target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  const reply = await new Promise((r) => outer.once('data', (d) => r(d.toString('latin1'))));
  console.error(`connect reply ${JSON.stringify(reply)}`);
  const [thost] = splitHostPort(o.target);
  const inner = tls.connect({ socket: outer, ...tlsOptions({ pki: o.pki, cert: o['inner-cert'], ca: o['inner-ca'] }), servername: '', checkServerIdentity: (_h, cert) => tls.checkServerIdentity(thost, cert) });
  keylogTo(o.keylog, inner);
  await new Promise((r, j) => { inner.once('secureConnect', r); inner.once('error', j); });
  inner.write(`GET /containerLogs/kube-system/coredns-7c65d6cfc9-4xk2m/coredns?tailLines=10 HTTP/1.1\r\nHost: ${o.target}\r\nUser-Agent: kube-apiserver/v1.32.0\r\n\r\n`);
  const body = await new Promise((r) => inner.once('data', (d) => r(d.toString('latin1'))));
  console.error(`inner reply ${JSON.stringify(body.split('\r\n')[0])}`);
  inner.end();
  outer.end();
}

const modes = { 'agent-server': agentServer, agent, frontend, connect };
if (!modes[mode]) { console.error(`unknown mode ${mode}`); process.exit(2); }
await modes[mode]();
