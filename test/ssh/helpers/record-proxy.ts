import { createConnection, createServer, type Server, type Socket } from 'node:net';

export interface Recording {
  /** Chunks in the order the proxy received them; dir 0 = client to server. */
  chunks: Array<{ dir: 0 | 1; data: Buffer }>;
  closed: Promise<void>;
}

export interface RecordProxy {
  port: number;
  /** One recording per accepted connection, in accept order. */
  connections: Recording[];
  close(): Promise<void>;
}

/** A TCP proxy on 127.0.0.1 that forwards to 127.0.0.1:`targetPort` and records both directions. */
export async function recordProxy(targetPort: number): Promise<RecordProxy> {
  const connections: Recording[] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = createConnection({ host: '127.0.0.1', port: targetPort });
    sockets.add(client);
    sockets.add(upstream);
    const chunks: Array<{ dir: 0 | 1; data: Buffer }> = [];
    let done = 0;
    let resolve: () => void = () => undefined;
    const closed = new Promise<void>((r) => (resolve = r));
    const finish = (): void => {
      if (++done === 2) resolve();
    };
    connections.push({ chunks, closed });
    client.on('data', (d: Buffer) => {
      chunks.push({ dir: 0, data: Buffer.from(d) });
      upstream.write(d);
    });
    upstream.on('data', (d: Buffer) => {
      chunks.push({ dir: 1, data: Buffer.from(d) });
      client.write(d);
    });
    client.on('end', () => upstream.end());
    upstream.on('end', () => client.end());
    client.on('close', () => { upstream.destroy(); finish(); });
    upstream.on('close', () => { client.destroy(); finish(); });
    client.on('error', () => upstream.destroy());
    upstream.on('error', () => client.destroy());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const addr = server.address();
  const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
  return {
    port,
    connections,
    close: async () => {
      for (const s of sockets) s.destroy();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
