import { Cluster, Redis, RedisOptions } from 'ioredis';

/** Where Redis is: one server (`url`), or a Redis Cluster reached through `clusterNodes` (seed nodes). */
export interface RedisSettings {
  url: string;
  queuePrefix: string;
  /** From REDIS_CLUSTER_NODES (`host:port,host:port`); REDIS_URL then supplies only credentials and TLS. */
  clusterNodes: { host: string; port: number }[] | null;
}

export type RedisClient = Redis | Cluster;

/** `lazyConnect`, `enableOfflineQueue` and `enableAutoPipelining` are the client's own; the rest goes to each node's connection. */
export type RedisClientOptions = RedisOptions;

/** The node options REDIS_URL carries besides host and port: credentials, database, TLS. */
function urlOptions(url: string): RedisOptions {
  const parsed = new URL(url);
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    ...(parsed.protocol === 'rediss:' ? { tls: {} } : {}),
  };
}

/**
 * Every Redis client of every service is made here, so one setting moves them all to a cluster. Under a cluster
 * every key carries the queue prefix, whose `{…}` hash tag (required then, see config) puts them in one slot:
 * BullMQ's multi-key scripts, the gateway's pipeline of jobs and live events, and XREAD over several streams work.
 */
export function createRedisClient(settings: RedisSettings, options: RedisClientOptions = {}): RedisClient {
  if (!settings.clusterNodes) return new Redis(settings.url, options);
  const { lazyConnect, enableOfflineQueue, enableAutoPipelining, ...nodeOptions } = options;
  return new Cluster(settings.clusterNodes, {
    lazyConnect,
    enableOfflineQueue,
    enableAutoPipelining,
    redisOptions: { ...urlOptions(settings.url), ...nodeOptions },
  });
}

/** BullMQ's connection: a URL for one server, a Cluster client (shared by the queues) for a cluster. */
export function bullConnection(settings: RedisSettings): { url: string } | Cluster {
  if (!settings.clusterNodes) return { url: settings.url };
  return createRedisClient(settings, { maxRetriesPerRequest: null }) as Cluster;
}

/** `host:port,host:port` → seed nodes. */
export function parseClusterNodes(value: string): { host: string; port: number }[] {
  return value
    .split(',')
    .map((node) => node.trim())
    .filter(Boolean)
    .map((node) => {
      const at = node.lastIndexOf(':');
      return { host: node.slice(0, at), port: Number(node.slice(at + 1)) };
    });
}
