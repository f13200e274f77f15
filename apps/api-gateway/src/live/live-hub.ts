import { Inject, Injectable, Logger, OnModuleDestroy } from '@nestjs/common';
import { APP_CONFIG, AppConfig, createRedisClient, RedisClient } from '@statusync/core';
import { LIVE_FIELD } from '@statusync/queue';
import { resumeAfter } from './stream-resume';

/** Receives one stream entry: its id (the SSE event id) and the event. */
export type LiveListener = (id: string, event: Record<string, unknown>) => void;

/** How long one XREAD waits: a stream subscribed meanwhile joins the read within this time. */
const BLOCK_MS = 250;
const BATCH = 200;

/**
 * This gateway replica's one reader of live streams: a single blocking XREAD over every stream some local
 * client follows, fanned out in memory. Streams live in Redis, so every replica sees every event, and a
 * reconnecting client resumes from its Last-Event-ID with XRANGE.
 */
@Injectable()
export class LiveHub implements OnModuleDestroy {
  private readonly logger = new Logger(LiveHub.name);
  private readonly reader: RedisClient;
  private readonly client: RedisClient;
  private readonly streams = new Map<string, { lastId: string; listeners: Set<LiveListener> }>();
  private readonly closers = new Set<() => void>();
  private loop?: Promise<void>;
  private closed = false;

  constructor(@Inject(APP_CONFIG) config: AppConfig) {
    this.reader = createRedisClient(config.redis, { lazyConnect: true, maxRetriesPerRequest: null });
    this.client = createRedisClient(config.redis, { lazyConnect: true, maxRetriesPerRequest: 1 });
    for (const connection of [this.reader, this.client]) connection.on('error', () => undefined);
  }

  /**
   * Follows `key` from now on; with `afterId`, first replays what came after it, or calls `onMissed` when the stream
   * no longer holds all of it (trimmed or expired). The listener may see an entry twice around the switch from replay
   * to live: callers drop ids they have already sent.
   */
  async subscribe(key: string, listener: LiveListener, afterId?: string, onMissed?: () => void): Promise<() => void> {
    let stream = this.streams.get(key);
    if (!stream) {
      const [newest] = await this.client.xrevrange(key, '+', '-', 'COUNT', 1);
      stream = this.streams.get(key) ?? { lastId: newest?.[0] ?? '0-0', listeners: new Set() };
      this.streams.set(key, stream);
    }
    stream.listeners.add(listener);
    this.loop ??= this.run();
    const unsubscribe = () => {
      const current = this.streams.get(key);
      current?.listeners.delete(listener);
      if (current && current.listeners.size === 0) this.streams.delete(key);
    };
    if (afterId) {
      const resume = await resumeAfter(this.client, key, afterId);
      if (resume.kind === 'resync') onMissed?.();
      else for (const [id, fields] of resume.entries) deliver(listener, id, fields);
    }
    return unsubscribe;
  }

  /** Registers a way to end one client's stream at shutdown (open SSE responses would hold the HTTP drain). */
  onClose(close: () => void): () => void {
    this.closers.add(close);
    return () => this.closers.delete(close);
  }

  private async run(): Promise<void> {
    while (!this.closed) {
      const keys = [...this.streams.keys()];
      if (keys.length === 0) {
        this.loop = undefined;
        return;
      }
      try {
        const answer = (await this.reader.xread('COUNT', BATCH, 'BLOCK', BLOCK_MS, 'STREAMS', ...keys, ...keys.map((k) => this.streams.get(k)!.lastId))) as
          | [string, [string, string[]][]][]
          | null;
        for (const [key, entries] of answer ?? []) {
          const stream = this.streams.get(key);
          if (!stream) continue;
          for (const [id, fields] of entries) {
            stream.lastId = id;
            for (const listener of stream.listeners) deliver(listener, id, fields);
          }
        }
      } catch (error) {
        if (this.closed) return;
        this.logger.warn({ err: error }, 'live stream read failed; retrying');
        await new Promise((resolve) => setTimeout(resolve, 1_000));
      }
    }
  }

  onModuleDestroy(): void {
    this.closed = true;
    for (const close of this.closers) close();
    this.reader.disconnect();
    this.client.disconnect();
  }
}

function deliver(listener: LiveListener, id: string, fields: string[]): void {
  const index = fields.indexOf(LIVE_FIELD);
  if (index < 0) return;
  try {
    listener(id, JSON.parse(fields[index + 1]) as Record<string, unknown>);
  } catch {
    // A malformed entry (Redis is writable by anyone with access) is skipped, not fatal.
  }
}
