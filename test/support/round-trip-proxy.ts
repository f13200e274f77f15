import { AddressInfo, createConnection, createServer, Server, Socket } from 'node:net';

/**
 * A TCP proxy that counts round trips: per connection, a "turn" starts each time the client sends after the
 * server last spoke (or first). A request pipelined in one write is one turn however many commands it holds; a
 * client that waits for an answer before sending again costs one turn per wait. Protocol-agnostic, so it counts
 * Postgres and Redis alike, for a service running in another process.
 */
export class RoundTripProxy {
  private turns = 0;
  /** How each turn began (its first bytes, printable), in order: says what a count is made of when it is off. */
  private readonly heads: string[] = [];
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async start(upstreamHost: string, upstreamPort: number): Promise<RoundTripProxy> {
    const server = createServer();
    const proxy = new RoundTripProxy(server);
    server.on('connection', (client) => proxy.relay(client, upstreamHost, upstreamPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  /** Round trips so far, across every connection. */
  get count(): number {
    return this.turns;
  }

  /** The first bytes of every turn after the first `count` (printable ASCII, the rest as dots). */
  headsSince(count: number): string[] {
    return this.heads.slice(count);
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private relay(client: Socket, host: string, port: number): void {
    const upstream = createConnection({ host, port });
    let serverSpokeLast = true;
    this.sockets.add(client).add(upstream);
    client.on('data', (chunk) => {
      if (serverSpokeLast) {
        this.turns++;
        this.heads.push(chunk.subarray(0, 120).toString('latin1').replace(/[^ -~]/g, '.'));
      }
      serverSpokeLast = false;
      upstream.write(chunk);
    });
    upstream.on('data', (chunk) => {
      serverSpokeLast = true;
      client.write(chunk);
    });
    const end = () => {
      client.destroy();
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', end).on('error', end);
    upstream.on('close', end).on('error', end);
  }
}
