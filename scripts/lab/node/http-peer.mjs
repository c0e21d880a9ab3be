// HTTP/1.1 server or client, cleartext or TLS, standing in for the apiserver, kubelet, etcd's
// HTTP gateway, a pod, or their callers.
//   server: --listen HOST:PORT [--cert NAME --ca NAME --request-cert] [--keylog F] [--role ROLE]
//   client: --url URL... [--method M] [--bearer-sa NS:SA[:POD]] [--legacy-token] [--cert NAME]
//           [--ca NAME] [--servername S] [--insecure] [--keylog F] [--hold MS] [--header 'k: v']
import http from 'node:http';
import https from 'node:https';
import { args, list, tlsOptions, keylogTo, saToken, sleep } from './common.mjs';

const o = args();

// Bodies shaped like what each component answers; only their size and shape matter on the wire.
function answer(req) {
  const u = req.url;
  if (u.startsWith('/exec/') || u.startsWith('/attach/') || u.startsWith('/portForward/'))
    return [400, 'text/plain', 'Upgrade request required'];
  if (u.startsWith('/containerLogs/')) return [200, 'text/plain', 'I1128 10:00:00.000000       1 server.go:42] serving\n'];
  if (u === '/pods' || u.startsWith('/pods?')) return [200, 'application/json', JSON.stringify({ kind: 'PodList', apiVersion: 'v1', metadata: {}, items: [{ metadata: { name: 'web-6d4cf56db6-x7k2p', namespace: 'default' }, status: { podIP: '10.244.1.7' } }] })];
  if (u.startsWith('/stats/summary')) return [200, 'application/json', JSON.stringify({ node: { nodeName: 'node1', cpu: { usageNanoCores: 123456789 } } })];
  if (u.startsWith('/version')) return [200, 'application/json', JSON.stringify(o.role === 'etcd' ? { etcdserver: '3.5.16', etcdcluster: '3.5.0' } : { major: '1', minor: '32', gitVersion: 'v1.32.0' })];
  if (u.startsWith('/v3/kv/range')) return [200, 'application/json', JSON.stringify({ header: { cluster_id: '14841639068965178418', revision: '42' }, kvs: [{ key: Buffer.from('/registry/secrets/default/db').toString('base64'), value: 'azhzAAo...' }], count: '1' })];
  if (u.startsWith('/api') || u.startsWith('/apis')) return [200, 'application/json', JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', details: { path: u } })];
  return [200, 'text/html', '<html><body>web-6d4cf56db6-x7k2p</body></html>\n'];
}

function serve() {
  const [host, port] = splitHostPort(o.listen);
  const handler = (req, res) => {
    req.resume();
    req.on('end', () => {
      const [status, type, body] = answer(req);
      if (/[?&]watch=(true|1)/.test(req.url)) {
        // A watch: chunked events until the client goes away.
        res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
        const t = setInterval(() => res.write(JSON.stringify({ type: 'MODIFIED', object: { kind: 'Pod', metadata: { name: 'web-6d4cf56db6-x7k2p', resourceVersion: String(Date.now()) } } }) + '\n'), 200);
        res.on('close', () => clearInterval(t));
        return;
      }
      res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    });
  };
  const tls = o.cert ? tlsOptions(o) : null;
  const server = tls
    ? https.createServer({ ...tls, requestCert: !!o['request-cert'], rejectUnauthorized: false }, handler)
    : http.createServer(handler);
  if (tls) keylogTo(o.keylog, server);
  server.keepAliveTimeout = 2000;
  server.listen(Number(port), host, () => console.error(`listening ${o.listen}`));
}

async function request(agent, url, method, headers) {
  const mod = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(url, { method, agent, headers }, (res) => {
      res.on('data', () => {});
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    if (/[?&]watch=(true|1)/.test(url)) setTimeout(() => req.destroy(), Number(o.hold ?? 2000));
    req.end();
  });
}

async function client() {
  const urls = list(o.url);
  const tls = urls[0].startsWith('https:');
  const headers = { 'User-Agent': o['user-agent'] ?? 'kubelet/v1.32.0 (linux/amd64) kubernetes/70d3cc9', Accept: 'application/json, */*' };
  for (const h of list(o.header)) { const i = h.indexOf(':'); headers[h.slice(0, i).trim()] = h.slice(i + 1).trim(); }
  if (o['bearer-sa']) {
    const [ns, sa, pod] = o['bearer-sa'].split(':');
    headers.Authorization = `Bearer ${saToken({ ns, sa, pod, legacy: !!o['legacy-token'] })}`;
  }
  const agent = tls
    ? new https.Agent({ keepAlive: true, maxSockets: 1, ...tlsOptions(o), rejectUnauthorized: !o.insecure, ...(o.servername ? { servername: o.servername } : {}) })
    : new http.Agent({ keepAlive: true, maxSockets: 1 });
  if (tls) keylogTo(o.keylog, agent);
  for (const u of urls) {
    const status = await request(agent, u, o.method ?? 'GET', headers).catch((e) => `error ${e.code ?? e.message}`);
    console.error(`${o.method ?? 'GET'} ${u} -> ${status}`);
    await sleep(50);
  }
  agent.destroy();
}

function splitHostPort(s) {
  const i = s.lastIndexOf(':');
  return [s.slice(0, i).replace(/^\[|\]$/g, ''), s.slice(i + 1)];
}

if (o.listen) serve(); else await client();
