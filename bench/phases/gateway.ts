import { runLoad, LoadResult } from '../load';
import { CpuMeter, postgresBackends, redisPid } from '../machine';
import { BenchEnv, BenchProcess, REDIS_URL, startProcess, startService, tokenFor } from '../support';
import { BenchUser } from '../users';

const BODY = JSON.stringify({ emoji: ':spiral_calendar_pad:', message: 'In a meeting', limitedAvailability: true, durationMinutes: 30 });

/** CPU ms (utime + stime) per answered request: the server process, the Postgres backends it opened, Redis. */
export interface CpuPerRequest {
  total: number;
  server: number;
  postgres: number;
  redis: number;
}

type Saturated = LoadResult & { rssMb: number; cpuMsPerRequest: CpuPerRequest };

export interface GatewayFigures {
  gateway: Saturated;
  reference: Saturated;
  ratio: number;
  fixedRate: LoadResult & { offeredRps: number };
}

/** The users' tokens, one per request in turn. */
const rotating = (users: BenchUser[]) => users.map((user) => tokenFor(user.subject));

const round2 = (value: number) => Math.round(value * 100) / 100;

/**
 * Closed-loop saturation, with where the machine's CPU went: the same split for the gateway and the reference says
 * whether a gap is our process or the work it asks of Postgres and Redis.
 */
async function saturate(env: BenchEnv, server: BenchProcess, applicationName: string, users: BenchUser[], connections: number, seconds: number): Promise<Saturated> {
  server.resetPeak();
  const redis = await redisPid(REDIS_URL);
  const meter = new CpuMeter(async () => ({
    server: [server.pid],
    postgres: await postgresBackends(env.db, applicationName),
    redis: redis === null ? [] : [redis],
  }));
  await meter.begin();
  const sampler = setInterval(() => void meter.sample(), 2_000);
  let result: LoadResult;
  try {
    result = await runLoad({ url: `${server.url}/api/v1/status/update`, method: 'POST', body: BODY, connections, durationSeconds: seconds, tokens: rotating(users) });
  } finally {
    clearInterval(sampler);
  }
  const cpu = await meter.end();
  const perRequest = (ms: number | undefined) => round2((ms ?? 0) / Math.max(1, result.requests));
  return {
    ...result,
    rssMb: server.peakRssMb,
    cpuMsPerRequest: {
      total: perRequest((cpu.server ?? 0) + (cpu.postgres ?? 0) + (cpu.redis ?? 0)),
      server: perRequest(cpu.server),
      postgres: perRequest(cpu.postgres),
      redis: perRequest(cpu.redis),
    },
  };
}

/**
 * 1. Saturation: the gateway and a bare reference server under the same closed-loop load.
 * 2. A realistic fixed rate (open loop): latency when the gateway is not the bottleneck.
 * No sync worker runs meanwhile, so the machine's two cores serve the API alone, as for the reference.
 */
export async function gatewayPhase(env: BenchEnv, users: BenchUser[], settings: { connections: number; seconds: number; fixedRate: number }): Promise<GatewayFigures> {
  // Each server's Postgres connections carry an application_name of their own, so their backends' CPU is counted.
  const appName = (server: string) => `statusync-bench-${server}-${process.pid}`;
  const reference = await startProcess('reference', 'bench/reference-server.js', { ...env.env, PGAPPNAME: appName('reference') }, 'PORT');
  const referenceResult = await saturate(env, reference, appName('reference'), users, settings.connections, settings.seconds);
  await reference.stop();

  // BENCH_GATEWAY_CPU_PROF=<dir>: a V8 CPU profile of the gateway (written when it exits), for "where does a request's CPU go".
  const profile = process.env.BENCH_GATEWAY_CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_GATEWAY_CPU_PROF}`] : [];
  const gateway = await startService('api-gateway', { ...env.env, PGAPPNAME: appName('gateway') }, profile);
  // A short warm-up: JIT, connection pools, the user-id cache.
  await runLoad({ url: `${gateway.url}/api/v1/status/update`, method: 'POST', body: BODY, connections: 50, durationSeconds: 3, tokens: rotating(users) });
  const gatewayResult = await saturate(env, gateway, appName('gateway'), users, settings.connections, settings.seconds);
  const fixedRate = await runLoad({
    url: `${gateway.url}/api/v1/status/update`,
    method: 'POST',
    body: BODY,
    connections: settings.connections,
    durationSeconds: settings.seconds,
    overallRate: settings.fixedRate,
    tokens: rotating(users),
  });
  await gateway.stop();
  return {
    gateway: gatewayResult,
    reference: referenceResult,
    ratio: Math.round((gatewayResult.rps / referenceResult.rps) * 100) / 100,
    fixedRate: { ...fixedRate, offeredRps: settings.fixedRate },
  };
}
