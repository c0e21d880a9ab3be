import net from 'node:net';

export interface Chunk {
  dir: 0 | 1;
  data: Buffer;
}

export interface RecordProxy {
  port: number;
  /** Chunks of every connection accepted so far, in arrival order, one list per connection. */
  connections: Chunk[][];
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 that forwards to `targetPort` and records both directions in arrival order. */
export async function startRecordProxy(targetPort: number): Promise<RecordProxy> {
  const connections: Chunk[][] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((client) => {
    const log: Chunk[] = [];
    connections.push(log);
    const upstream = net.connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => s.destroy());
    }
    client.on('data', (d) => {
      log.push({ dir: 0, data: Buffer.from(d) });
      upstream.write(d);
    });
    upstream.on('data', (d) => {
      log.push({ dir: 1, data: Buffer.from(d) });
      client.write(d);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('close', () => upstream.destroy());
    upstream.on('close', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as net.AddressInfo).port;
  return {
    port,
    connections,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
