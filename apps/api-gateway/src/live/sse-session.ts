import type { FastifyReply, FastifyRequest } from 'fastify';
import { LIVE_RESYNC_EVENT } from '@statusync/queue';
import { LiveHub } from './live-hub';
import { compareStreamIds } from './stream-ids';

/** Bytes a client may leave unread before it is dropped (it reconnects and resumes with Last-Event-ID). */
export const MAX_UNSENT_BYTES = 256 * 1024;
/** Events a client may have waiting for their (database-backed) rendering before it is dropped. */
export const MAX_PENDING_EVENTS = 100;
export const HEARTBEAT_MS = 15_000;

const STREAM_ID = /^\d{1,20}-\d{1,20}$/;

/** Last-Event-ID as sent by EventSource on reconnect; anything else is ignored (start from now). */
export function lastEventIdOf(request: FastifyRequest): string | undefined {
  const value = request.headers['last-event-id'];
  return typeof value === 'string' && STREAM_ID.test(value) ? value : undefined;
}

/**
 * One Server-Sent Events response: headers, heartbeats, ids in order (an entry replayed twice is sent once),
 * and a bound on what may wait for a slow client. Events are rendered one after the other, so they leave in
 * stream order even when rendering reads the database.
 */
export class SseSession {
  private lastSentId = '0-0';
  private pending = 0;
  private chain: Promise<void> = Promise.resolve();
  private closed = false;
  private readonly cleanups: (() => void)[] = [];

  constructor(
    private readonly reply: FastifyReply,
    private readonly hub: LiveHub,
  ) {}

  open(): void {
    this.reply.hijack();
    const raw = this.reply.raw;
    raw.writeHead(200, {
      ...(this.reply.getHeaders() as Record<string, string>),
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache, no-transform',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    });
    raw.write(`retry: 2000\n: connected\n\n`);
    const heartbeat = setInterval(() => this.write(`: heartbeat\n\n`), HEARTBEAT_MS);
    this.cleanups.push(() => clearInterval(heartbeat), this.hub.onClose(() => this.close()));
    raw.on('close', () => this.close());
  }

  /** Follows a stream; `render` turns an entry into the event to send (null: send nothing). */
  async follow(key: string, afterId: string | undefined, render: (event: Record<string, unknown>) => Promise<{ event: string; data: unknown } | null>): Promise<void> {
    if (afterId) this.lastSentId = afterId;
    const unsubscribe = await this.hub.subscribe(
      key,
      (id, event) => {
        if (this.closed) return;
        if (++this.pending > MAX_PENDING_EVENTS) return this.close();
        this.chain = this.chain.then(async () => {
          this.pending--;
          if (this.closed || compareStreamIds(id, this.lastSentId) <= 0) return;
          const rendered = await render(event).catch(() => null);
          if (!rendered || this.closed) return;
          this.lastSentId = id;
          this.write(`id: ${id}\nevent: ${rendered.event}\ndata: ${JSON.stringify(rendered.data)}\n\n`);
        });
      },
      afterId,
      // Events since afterId are gone: the client reads the full state again, then follows from here.
      () => this.write(`event: ${LIVE_RESYNC_EVENT}\ndata: ${JSON.stringify({ reason: 'events_trimmed' })}\n\n`),
    );
    if (this.closed) unsubscribe();
    else this.cleanups.push(unsubscribe);
  }

  private write(chunk: string): void {
    if (this.closed) return;
    const raw = this.reply.raw;
    // A client that does not read: drop it rather than buffer without bound. It resumes from its last id.
    if (raw.writableLength > MAX_UNSENT_BYTES) return this.close();
    raw.write(chunk);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const cleanup of this.cleanups.splice(0)) cleanup();
    this.reply.raw.end();
  }
}
