import { ChaosUser } from './chaos-stack';

export type RequestKind = 'update' | 'preset' | 'clear';

/** One request of the stream and what the gateway answered. */
export interface Sent {
  user: number;
  /** The user's n-th request (0-based): the order in which this user asked. */
  n: number;
  kind: RequestKind;
  /** The unique message it asks for; null for a clear. */
  message: string | null;
  platforms: ('github' | 'slack')[] | undefined;
  startedAt: number;
  latencyMs: number;
  /** The HTTP status, or why there was none: the client timeout ran out, or the connection failed. */
  status: number | 'timeout' | 'network-error';
  retryAfter: string | null;
  /** The update id of a 202. */
  id: string | null;
  detail: string | null;
}

export interface LoadOptions {
  /** Distinguishes this scenario's messages from any other's. */
  tag: string;
  /** Pause between two requests of one user (uniformly drawn from the range). 20 users at 600–1000 ms ≈ 25 req/s. */
  thinkMs?: [number, number];
  /** A request that takes longer has hung: it is aborted and recorded as `timeout`. */
  clientTimeoutMs?: number;
}

const EMOJI = [':coffee:', ':computer:', ':house:', ':rocket:', ':zap:', ':tada:', ':bulb:', ':car:'];
const PRESETS = ['working', 'lunch', 'away', 'busy'];

/**
 * A steady stream of status requests: every user, in parallel with the others, sends one request at a time
 * (so "the user's last request" is well defined), each with a message no other request uses. Mostly updates to
 * both platforms, some to one platform, some presets and clears. Every answer is recorded; none is waited for
 * longer than the client timeout.
 */
export class LoadDriver {
  readonly sent: Sent[] = [];
  private running = false;
  private loops: Promise<void>[] = [];
  private readonly thinkMs: [number, number];
  readonly clientTimeoutMs: number;

  constructor(
    private readonly gatewayUrl: string,
    private readonly users: ChaosUser[],
    private readonly options: LoadOptions,
  ) {
    this.thinkMs = options.thinkMs ?? [600, 1000];
    this.clientTimeoutMs = options.clientTimeoutMs ?? 5_000;
  }

  start(): void {
    this.running = true;
    this.loops = this.users.map((user) => this.loop(user));
  }

  /** Stops sending and waits for the requests in flight. */
  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
  }

  private async loop(user: ChaosUser): Promise<void> {
    // Users start spread over one think time, not all in the same millisecond.
    await sleep(Math.random() * this.thinkMs[1]);
    for (let n = 0; this.running; n++) {
      await this.send(user, n);
      await sleep(this.thinkMs[0] + Math.random() * (this.thinkMs[1] - this.thinkMs[0]));
    }
  }

  private async send(user: ChaosUser, n: number): Promise<void> {
    const roll = Math.random();
    const kind: RequestKind = roll < 0.8 ? 'update' : roll < 0.9 ? 'preset' : 'clear';
    const platforms = pickPlatforms();
    const message = kind === 'clear' ? null : `${this.options.tag} u${user.index} #${n}`;
    let path = '/api/v1/status/update';
    let body: Record<string, unknown> = { message, emoji: EMOJI[n % EMOJI.length], limitedAvailability: n % 3 === 0 };
    if (kind === 'preset') {
      path = `/api/v1/status/presets/${PRESETS[n % PRESETS.length]}`;
      body = { message };
    } else if (kind === 'clear') {
      path = '/api/v1/status/clear';
      body = {};
    }
    if (platforms) body.platforms = platforms;

    const startedAt = Date.now();
    const record: Sent = { user: user.index, n, kind, message, platforms, startedAt, latencyMs: 0, status: 'timeout', retryAfter: null, id: null, detail: null };
    try {
      const answer = await fetch(`${this.gatewayUrl}${path}`, {
        method: 'POST',
        headers: { authorization: `Bearer ${user.jwt}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.clientTimeoutMs),
      });
      const text = await answer.text();
      record.status = answer.status;
      record.retryAfter = answer.headers.get('retry-after');
      if (answer.status === 202) record.id = (JSON.parse(text) as { id: string }).id;
      else record.detail = text.slice(0, 300);
    } catch (error) {
      const name = (error as Error).name;
      record.status = name === 'TimeoutError' || name === 'AbortError' ? 'timeout' : 'network-error';
      record.detail = (error as Error).message;
    }
    record.latencyMs = Date.now() - startedAt;
    this.sent.push(record);
  }
}

/** Both platforms (the default) most of the time, one of them now and then. */
function pickPlatforms(): ('github' | 'slack')[] | undefined {
  const roll = Math.random();
  if (roll < 0.15) return ['github'];
  if (roll < 0.3) return ['slack'];
  return undefined;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
