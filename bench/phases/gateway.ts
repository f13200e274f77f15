import { runLoad, LoadResult } from '../load';
import { BenchEnv, BenchProcess, startProcess, startService, tokenFor } from '../support';
import { BenchUser } from '../users';

const BODY = JSON.stringify({ emoji: ':spiral_calendar_pad:', message: 'In a meeting', limitedAvailability: true, durationMinutes: 30 });

export interface GatewayFigures {
  gateway: LoadResult & { rssMb: number };
  reference: LoadResult & { rssMb: number };
  ratio: number;
  fixedRate: LoadResult & { offeredRps: number };
}

/** The users' tokens, one per request in turn. */
const rotating = (users: BenchUser[]) => users.map((user) => tokenFor(user.subject));

async function saturate(process: BenchProcess, users: BenchUser[], connections: number, seconds: number) {
  process.resetPeak();
  const result = await runLoad({ url: `${process.url}/api/v1/status/update`, method: 'POST', body: BODY, connections, durationSeconds: seconds, tokens: rotating(users) });
  return { ...result, rssMb: process.peakRssMb };
}

/**
 * 1. Saturation: the gateway and a bare reference server under the same closed-loop load.
 * 2. A realistic fixed rate (open loop): latency when the gateway is not the bottleneck.
 * No sync worker runs meanwhile, so the machine's two cores serve the API alone, as for the reference.
 */
export async function gatewayPhase(env: BenchEnv, users: BenchUser[], settings: { connections: number; seconds: number; fixedRate: number }): Promise<GatewayFigures> {
  const reference = await startProcess('reference', 'bench/reference-server.js', env.env, 'PORT');
  const referenceResult = await saturate(reference, users, settings.connections, settings.seconds);
  await reference.stop();

  const gateway = await startService('api-gateway', env.env);
  // A short warm-up: JIT, connection pools, the user-id cache.
  await runLoad({ url: `${gateway.url}/api/v1/status/update`, method: 'POST', body: BODY, connections: 50, durationSeconds: 3, tokens: rotating(users) });
  const gatewayResult = await saturate(gateway, users, settings.connections, settings.seconds);
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
