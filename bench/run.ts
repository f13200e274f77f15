/**
 * `npm run bench`: the performance figures of the README, reproducible on any machine.
 * Real Postgres and Redis, the services built for production, and the GitHub/Slack fakes with an 80 ms
 * round trip. Prints a table and writes bench/results/latest.json. Knobs: BENCH_* below; BENCH_QUICK=1 for
 * a smoke run with small numbers.
 */
import { execSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { join } from 'node:path';
import { GithubFake } from '../test/fakes/github-fake';
import { SlackFake } from '../test/fakes/slack-fake';
import { endToEndPhase } from './phases/end-to-end';
import { gatewayPhase } from './phases/gateway';
import { historyPhase } from './phases/history';
import { workersPhase } from './phases/workers';
import { clearBacklog, createBenchEnv, ROOT } from './support';
import { createUsers } from './users';

const quick = process.env.BENCH_QUICK === '1';
const num = (name: string, full: number, small: number) => Number(process.env[name] ?? (quick ? small : full));
const settings = {
  fakeLatencyMs: num('BENCH_FAKE_LATENCY_MS', 80, 80),
  users: num('BENCH_USERS', 1000, 200),
  connections: num('BENCH_CONNECTIONS', 1000, 100),
  seconds: num('BENCH_SECONDS', 20, 3),
  fixedRate: num('BENCH_FIXED_RATE', 1000, 200),
  e2eRate: num('BENCH_E2E_RATE', 200, 50),
  e2eSeconds: num('BENCH_E2E_SECONDS', 30, 3),
  workerJobs: num('BENCH_WORKER_JOBS', 50_000, 2_000),
  historyRows: num('BENCH_HISTORY_ROWS', 100_000, 5_000),
};

const version = (command: string) => {
  try {
    return execSync(command, { encoding: 'utf8' }).trim().split('\n')[0];
  } catch {
    return 'unknown';
  }
};

/** Worker concurrencies (per platform queue) of the one-process sweep. */
const workerConcurrencies = (process.env.BENCH_WORKER_CONCURRENCIES ?? '20,50,100').split(',').map(Number);

async function main() {
  const started = Date.now();
  const github = await GithubFake.start({ latencyMs: settings.fakeLatencyMs, acceptAnyToken: true, rateLimitPerHour: 1_000_000 });
  const slack = await SlackFake.start({ latencyMs: settings.fakeLatencyMs, acceptAnyToken: true, profileWritesPerMinute: 0 });
  const env = await createBenchEnv({ github: github.graphqlUrl, slack: slack.apiUrl });
  try {
    const log = (line: string) => process.stderr.write(`bench: ${line}\n`);
    log(`schema ${env.schema}; creating users`);
    const apiUsers = await createUsers(env.db, settings.users, env.env.TOKEN_ENCRYPTION_KEY, 'api');
    const workerUsers = process.env.BENCH_PHASES === 'gateway' ? [] : await createUsers(env.db, Math.ceil(settings.workerJobs / 2), env.env.TOKEN_ENCRYPTION_KEY, 'worker');

    if (process.env.BENCH_ONLY === 'workers') {
      // The worker phase alone (docs/decisions.md "Worker leases"): BENCH_WORKER_CONCURRENCIES, BENCH_FAKE_LATENCY_MS.
      const workers = await workersPhase(env, workerUsers, { concurrencies: workerConcurrencies, sweepUsers: Math.min(workerUsers.length, 5_000) });
      const result = { date: new Date().toISOString(), cores: cpus().length, settings, workerConcurrencies, workers };
      mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
      writeFileSync(join(ROOT, 'bench/results/workers-latest.json'), JSON.stringify(result, null, 2));
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return;
    }
    log('1/4 gateway throughput (reference, gateway, fixed rate)');
    const gateway = await gatewayPhase(env, apiUsers, { connections: settings.connections, seconds: settings.seconds, fixedRate: settings.fixedRate });
    if (process.env.BENCH_PHASES === 'gateway') {
      // Gateway only (to measure one change quickly): its own file, latest.json keeps the full run.
      const figures = { date: new Date().toISOString(), settings, gateway: { ...gateway.gateway, ratio: gateway.ratio, fixedRate: gateway.fixedRate }, reference: gateway.reference };
      writeFileSync(join(ROOT, 'bench/results/gateway-only.json'), JSON.stringify(figures, null, 2));
      process.stdout.write(`${JSON.stringify(figures, null, 2)}\n`);
      return;
    }
    await clearBacklog(env);
    log('2/4 end to end');
    // Two workers at 15 keep the total within Postgres' 100 connections beside the gateway's pool.
    const endToEnd = await endToEndPhase(env, apiUsers, { rate: settings.e2eRate, seconds: settings.e2eSeconds, workerConcurrency: 15, workers: num('BENCH_E2E_WORKERS', 2, 1) });
    log('3/4 workers');
    // A job holds a connection only to claim and settle (docs/decisions.md "Worker leases"): high concurrency, small pools.
    const workers = await workersPhase(env, workerUsers, { concurrencies: workerConcurrencies, sweepUsers: Math.min(workerUsers.length, 5_000) });
    log('4/4 history');
    const history = await historyPhase(env, { rows: settings.historyRows, seconds: quick ? 3 : 10 });

    const results = {
      date: new Date().toISOString(),
      machine: {
        cpu: cpus()[0]?.model ?? 'unknown',
        cores: cpus().length,
        memoryGiB: Math.round(totalmem() / 2 ** 30),
        node: process.version,
        postgres: version(`psql "${env.env.DATABASE_URL}" -Atc "show server_version"`),
        redis: version('redis-server --version'),
      },
      settings,
      gateway: { ...gateway.gateway, ratio: gateway.ratio, fixedRate: gateway.fixedRate },
      reference: gateway.reference,
      endToEnd: { ...endToEnd, targetP95Ms: 2 * settings.fakeLatencyMs + 100 },
      workers,
      history,
      durationSeconds: Math.round((Date.now() - started) / 1000),
    };
    mkdirSync(join(ROOT, 'bench/results'), { recursive: true });
    writeFileSync(join(ROOT, 'bench/results/latest.json'), JSON.stringify(results, null, 2));
    printTable(results);
  } finally {
    await env.cleanup();
    await Promise.all([github.close(), slack.close()]);
  }
}

function printTable(r: any) {
  const rows: [string, string, string][] = [
    ['Gateway saturation', `${r.gateway.rps} req/s, p50 ${r.gateway.p50Ms} / p95 ${r.gateway.p95Ms} / p99 ${r.gateway.p99Ms} ms, ${r.gateway.errors} errors, RSS ${r.gateway.rssMb} MB`, ''],
    ['Reference (bare Fastify)', `${r.reference.rps} req/s, p50 ${r.reference.p50Ms} / p95 ${r.reference.p95Ms} / p99 ${r.reference.p99Ms} ms, ${r.reference.errors} errors`, ''],
    ['Ratio gateway / reference', `${r.gateway.ratio}`, 'target ≥ 0.6'],
    ['Load generator', `${r.gateway.generator} (saturation); ${r.gateway.fixedRate.generator} (fixed rate)`, ''],
    [`Gateway at ${r.gateway.fixedRate.offeredRps} req/s (open loop)`, `p50 ${r.gateway.fixedRate.p50Ms} / p95 ${r.gateway.fixedRate.p95Ms} / p99 ${r.gateway.fixedRate.p99Ms} ms, ${r.gateway.fixedRate.errors} errors`, 'target p99 < 50 ms, no errors'],
    [`End to end at ${r.endToEnd.offeredRps} updates/s, ${r.endToEnd.workers} workers`, `p50 ${r.endToEnd.p50Ms} / p95 ${r.endToEnd.p95Ms} / p99 ${r.endToEnd.p99Ms} ms (${r.endToEnd.bothSucceeded}/${r.endToEnd.accepted} on both)`, `target p95 < ${r.endToEnd.targetP95Ms} ms`],
    ...r.workers.sweep.map((d: any) => [`Worker, 1 process, concurrency ${d.concurrency}`, `${d.jobsPerSecond} jobs/s (${d.jobs} jobs)`, ''] as [string, string, string]),
    [`Workers, 1 process (c=${r.workers.bestConcurrency})`, `${r.workers.oneProcess.jobsPerSecond} jobs/s (${r.workers.oneProcess.jobs} jobs)`, ''],
    [`Workers, 2 processes (c=${r.workers.bestConcurrency})`, `${r.workers.twoProcesses.jobsPerSecond} jobs/s, scaling ×${r.workers.scaling}`, ''],
    [`History, ${r.history.rows} updates: first page`, `p50 ${r.history.firstPage.p50Ms} / p95 ${r.history.firstPage.p95Ms} ms`, ''],
    ['History: deep pages (cursor)', `p50 ${r.history.deepPages.p50Ms} / p95 ${r.history.deepPages.p95Ms} ms`, ''],
    ['Current status', `p50 ${r.history.current.p50Ms} / p95 ${r.history.current.p95Ms} ms`, ''],
  ];
  const width = Math.max(...rows.map((row) => row[0].length));
  process.stdout.write(`\nStatusync benchmark — ${r.machine.cpu}, ${r.machine.cores} cores, Node ${r.machine.node}, ${r.date}\n\n`);
  for (const [name, value, target] of rows) process.stdout.write(`${name.padEnd(width)}  ${value}${target ? `   (${target})` : ''}\n`);
  process.stdout.write(`\nwritten to bench/results/latest.json (${r.durationSeconds} s)\n`);
}

main().catch((error) => {
  process.stderr.write(`bench failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(1);
});
