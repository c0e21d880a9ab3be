import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';

export interface Recorded { dir: 0 | 1; data: Buffer }

export interface RecordProxy {
  port: number;
  /** Chunks of every proxied connection, in arrival order, per connection. */
  connections: Recorded[][];
  /** Resolves once every proxied connection has closed on both sides. */
  drained(): Promise<void>;
  close(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 that forwards to `targetPort` and records each connection's bytes as
 * (direction, chunk) in order: 0 = client to server, 1 = server to client.
 */
export async function recordProxy(targetPort: number): Promise<RecordProxy> {
  const connections: Recorded[][] = [];
  const open = new Set<Promise<void>>();
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const rec: Recorded[] = [];
    connections.push(rec);
    const upstream = connect(targetPort, '127.0.0.1');
    sockets.add(client); sockets.add(upstream);
    client.on('data', (d: Buffer) => { rec.push({ dir: 0, data: Buffer.from(d) }); upstream.write(d); });
    upstream.on('data', (d: Buffer) => { rec.push({ dir: 1, data: Buffer.from(d) }); client.write(d); });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
    const closed = (s: Socket): Promise<void> => new Promise((r) => s.once('close', () => { sockets.delete(s); r(); }));
    const p = Promise.all([closed(client), closed(upstream)]).then(() => { open.delete(p); });
    open.add(p);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    port: (server.address() as AddressInfo).port,
    connections,
    drained: async () => { while (open.size > 0) await Promise.all([...open]); },
    close: () => new Promise((r) => { for (const s of sockets) s.destroy(); server.close(() => r()); }),
  };
}
