/** autocannon in a process of its own (forked by load.ts): receives LoadOptions, answers a LoadResult. */
import autocannon from 'autocannon';
import type { LoadOptions, LoadResult } from './load';
import { percentile } from './support';

async function run(options: LoadOptions): Promise<LoadResult> {
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  const target = new URL(options.url);
  let i = 0;
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
          const n = i++;
          request.headers = { ...request.headers, authorization: `Bearer ${options.tokens[n % options.tokens.length]}` };
          if (options.paths) request.path = options.paths[n % options.paths.length];
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
    generator: 'autocannon (child process)',
    cpuSeconds: cpuSecondsSoFar(),
  };
}

const cpuSecondsSoFar = () => {
  const { user, system } = process.cpuUsage();
  return Math.round((user + system) / 100_000) / 10;
};
const round = (value: number) => Math.round(value * 10) / 10;

process.once('message', (options) => {
  void run(options as LoadOptions).then((result) => process.send!(result, () => process.exit(0)), (error: unknown) => {
    process.stderr.write(`load generator failed: ${String(error)}\n`);
    process.exit(1);
  });
});
