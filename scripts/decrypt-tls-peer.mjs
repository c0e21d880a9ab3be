// Node.js TLS 1.3 server or client for scripts/make-decrypt-captures.sh. One JSON argument:
//   server: {"listen":"IP:PORT","cert":F,"key":F,"ca":F?,"requestCert":bool,"rejectUnauthorized":bool,
//            "ciphers":S?,"ecdhCurve":S?,"connections":N,"keylog":F?}
//   client: {"connect":"IP:PORT","servername":S,"ca":F,"cert":F?,"key":F?,"ciphers":S?,"ecdhCurve":S?,
//            "request":S,"resume":bool,"keylog":F?}
// The key log is written by Node itself (the `keylog` event). Each side prints one JSON line per
// connection with what Node negotiated, so the capture's README can cite the program's own view.
import tls from 'node:tls';
import { appendFileSync, readFileSync } from 'node:fs';

const [role, json] = process.argv.slice(2);
const o = JSON.parse(json);
const file = (f) => (f ? readFileSync(f) : undefined);
const hostPort = (s) => { const i = s.lastIndexOf(':'); return [s.slice(0, i), Number(s.slice(i + 1))]; };
const common = { minVersion: 'TLSv1.3', maxVersion: 'TLSv1.3', ciphers: o.ciphers, ecdhCurve: o.ecdhCurve };
const say = (side, s, extra) => console.log(JSON.stringify({
  side, protocol: s.getProtocol(), cipher: s.getCipher().standardName, reused: s.isSessionReused(),
  peer_sha256: s.getPeerCertificate()?.fingerprint256 ?? null, ...extra,
}));

if (role === 'server') {
  let left = o.connections ?? 1;
  const server = tls.createServer({
    ...common, cert: file(o.cert), key: file(o.key), ca: file(o.ca),
    requestCert: !!o.requestCert, rejectUnauthorized: !!o.rejectUnauthorized,
  }, (s) => {
    say('server', s, { authorized: s.authorized });
    let req = '';
    s.on('data', (d) => {
      req += d.toString('latin1');
      if (!req.includes('\r\n\r\n')) return;
      s.end('HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 17\r\nConnection: close\r\n\r\n{"kind":"Status"}');
    });
    s.on('close', () => { if (--left === 0) server.close(); });
  });
  if (o.keylog) server.on('keylog', (line) => appendFileSync(o.keylog, line));
  const [host, port] = hostPort(o.listen);
  server.listen(port, host, () => console.error(`listening ${o.listen}`));
} else {
  const [host, port] = hostPort(o.connect);
  const once = (session, wantTicket) => new Promise((resolve, reject) => {
    let ticket = null;
    let ended = false;
    const s = tls.connect({ ...common, host, port, servername: o.servername, ca: file(o.ca), cert: file(o.cert), key: file(o.key), session }, () => {
      say('client', s, { ephemeral: s.getEphemeralKeyInfo() });
      s.write(o.request);
    });
    if (o.keylog) s.on('keylog', (line) => appendFileSync(o.keylog, line));
    // TLS 1.3 tickets arrive after the handshake: the connection whose ticket is reused waits for one.
    const done = () => { if (ended && (!wantTicket || ticket !== null)) { s.end(); resolve(ticket); } };
    s.on('session', (t) => { ticket = t; done(); });
    s.on('data', () => {});
    s.on('end', () => { ended = true; done(); });
    s.on('error', reject);
  });
  const ticket = await once(undefined, !!o.resume);
  if (o.resume) await once(ticket, false);
}
