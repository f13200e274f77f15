import { createRedisClient, RedisClient, RedisSettings } from '../redis/redis-connection';

/** One short-lived connection per readiness probe would be wasteful; keep one lazily-connected client. */
export class RedisPing {
  private readonly client: RedisClient;

  constructor(settings: RedisSettings) {
    this.client = createRedisClient(settings, { lazyConnect: true, maxRetriesPerRequest: 1, enableOfflineQueue: false, connectTimeout: 2_000 });
    this.client.on('error', () => undefined); // readiness reports the failure; no unhandled 'error' events
  }

  async ping(): Promise<void> {
    if (this.client.status === 'wait' || this.client.status === 'end') await this.client.connect();
    const answer = await this.client.ping();
    if (answer !== 'PONG') throw new Error(`unexpected PING answer ${answer}`);
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }
}
