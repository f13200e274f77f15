import autocannon from 'autocannon';
import { percentile } from './support';

export interface LoadOptions {
  url: string;
  method?: 'GET' | 'POST';
  body?: string;
  connections: number;
  durationSeconds: number;
  /** Open loop: offer this many requests per second in total, whatever the answers take. */
  overallRate?: number;
  /** Per request: the bearer token (rotated through distinct users) and, optionally, the path. */
  next: () => { token: string; path?: string };
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50Ms: number;
  p95Ms: number;
  p99Ms: number;
  errors: number;
  statusCodes: Record<string, number>;
}

/** Runs autocannon and computes exact latency percentiles from every response it saw. */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  const target = new URL(options.url);
  const instance = autocannon({
    url: target.origin,
    connections: options.connections,
    duration: options.durationSeconds,
    ...(options.overallRate ? { overallRate: options.overallRate } : {}),
    requests: [
      {
        method: options.method ?? 'GET',
        path: target.pathname + target.search,
        headers: { 'content-type': 'application/json' },
        ...(options.body ? { body: options.body } : {}),
        setupRequest: (request: { headers: Record<string, string>; path: string }) => {
          const { token, path } = options.next();
          request.headers = { ...request.headers, authorization: `Bearer ${token}` };
          if (path) request.path = path;
          return request;
        },
      },
    ],
  } as autocannon.Options) as unknown as autocannon.Instance & Promise<autocannon.Result>;
  instance.on('response', (_client, statusCode, _bytes, responseTime) => {
    latencies.push(responseTime);
    statusCodes[statusCode] = (statusCodes[statusCode] ?? 0) + 1;
  });
  const result = await instance;
  latencies.sort((a, b) => a - b);
  const non2xx = Object.entries(statusCodes).filter(([code]) => !code.startsWith('2')).reduce((sum, [, n]) => sum + n, 0);
  return {
    requests: latencies.length,
    rps: Math.round(latencies.length / options.durationSeconds),
    p50Ms: round(percentile(latencies, 50)),
    p95Ms: round(percentile(latencies, 95)),
    p99Ms: round(percentile(latencies, 99)),
    errors: result.errors + result.timeouts + non2xx,
    statusCodes,
  };
}

const round = (value: number) => Math.round(value * 10) / 10;
