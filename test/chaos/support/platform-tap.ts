import { Agent, ClientRequest, createServer, IncomingMessage, request, Server, ServerResponse } from 'node:http';
import { AddressInfo, Socket } from 'node:net';

/** One call the services made to a platform, as the platform saw and answered it. */
export interface TapRecord {
  /** Order in which the platform's answers arrived here: the order in which the platform acted. */
  answerOrder: number | null;
  arrivedAt: number;
  answeredAt: number | null;
  method: string;
  path: string;
  authorization: string | null;
  contentType: string;
  body: string;
  status: number | null;
  response: string;
  /** The caller had already given up (its timeout) when the platform answered: the call landed late. */
  callerGone: boolean;
  error: string | null;
}

const HOP_BY_HOP = ['connection', 'keep-alive', 'transfer-encoding', 'content-length', 'host'];

/**
 * A recording pass-through proxy in front of a platform fake. The fakes log requests in arrival order, but
 * what a user sees is the order in which the platform *applied* them, and a call our side gave up on may still
 * be applied afterwards (the fake's `slow` mode, like a real platform, carries on when the client disconnects).
 * The tap keeps its own upstream call open when the caller goes away, so it records those late landings too.
 */
export class PlatformTap {
  readonly records: TapRecord[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly upstreamCalls = new Set<ClientRequest>();
  private readonly agent = new Agent({ keepAlive: true });
  private answers = 0;
  private holds: number[] = [];

  private constructor(
    private readonly server: Server,
    readonly baseUrl: string,
    private readonly upstream: URL,
  ) {}

  /** `upstreamBase` is the fake's base URL (e.g. http://127.0.0.1:4010); paths are passed through unchanged. */
  static async start(upstreamBase: string): Promise<PlatformTap> {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    const tap = new PlatformTap(server, `http://127.0.0.1:${port}`, new URL(upstreamBase));
    server.on('connection', (socket) => {
      tap.sockets.add(socket);
      socket.once('close', () => tap.sockets.delete(socket));
    });
    server.on('request', (req, res) => tap.forward(req, res));
    return tap;
  }

  /**
   * The next `count` calls reach the platform only after `ms`: a platform that is slow to take a request up and
   * then applies it, whether or not the caller is still waiting (as the Slack fake's `slow` mode does; GitHub's
   * `hang` never applies anything).
   */
  delayNext(count: number, ms: number): void {
    for (let i = 0; i < count; i++) this.holds.push(ms);
  }

  /** Calls arriving from now on are forwarded at once again. */
  clearDelays(): void {
    this.holds = [];
  }

  async close(): Promise<void> {
    for (const call of this.upstreamCalls) call.destroy();
    for (const socket of this.sockets) socket.destroy();
    this.agent.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private forward(req: IncomingMessage, res: ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', async () => {
      const body = Buffer.concat(chunks);
      const hold = this.holds.shift();
      const record: TapRecord = {
        answerOrder: null,
        arrivedAt: Date.now(),
        answeredAt: null,
        method: req.method ?? 'GET',
        path: req.url ?? '/',
        authorization: req.headers.authorization ?? null,
        contentType: String(req.headers['content-type'] ?? ''),
        body: body.toString('utf8'),
        status: null,
        response: '',
        callerGone: false,
        error: null,
      };
      this.records.push(record);
      res.once('close', () => {
        if (!res.writableFinished) record.callerGone = true;
      });
      if (hold !== undefined) await new Promise((resolve) => setTimeout(resolve, hold));
      const headers: Record<string, string | string[] | undefined> = { ...req.headers, 'content-length': String(body.length) };
      for (const name of HOP_BY_HOP.filter((h) => h !== 'content-length')) delete headers[name];
      const call = request(
        { host: this.upstream.hostname, port: this.upstream.port, method: req.method, path: req.url, headers, agent: this.agent },
        (answer) => {
          const parts: Buffer[] = [];
          answer.on('data', (chunk: Buffer) => parts.push(chunk));
          answer.on('end', () => {
            this.upstreamCalls.delete(call);
            const payload = Buffer.concat(parts);
            record.answerOrder = ++this.answers;
            record.answeredAt = Date.now();
            record.status = answer.statusCode ?? 0;
            record.response = payload.toString('utf8');
            if (res.destroyed || record.callerGone) return;
            const out: Record<string, string | string[]> = {};
            for (const [name, value] of Object.entries(answer.headers)) if (value !== undefined && !HOP_BY_HOP.includes(name)) out[name] = value;
            res.writeHead(record.status, { ...out, 'content-length': String(payload.length) });
            res.end(payload);
          });
        },
      );
      this.upstreamCalls.add(call);
      call.on('error', (error) => {
        this.upstreamCalls.delete(call);
        record.error = error.message;
        res.destroy();
      });
      call.end(body);
    });
  }
}
