import { createServer, Server } from 'node:net';
import { AppConfig } from '@statusync/core';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { Budget, budgetsFrom, userBudgetFor } from './budgets';
import { RateLimitConnection } from './rate-limit.connection';
import { redisRateLimiter } from './rate-limiters';
import { RateLimits } from './rate-limits';

const budgets = budgetsFrom({ writesPerHour: 3, readsPerHour: 5, publicPerMinute: 2 });
const inMemory = (budget: Budget) => ({ budget, limiter: new RateLimiterMemory({ points: budget.points, duration: budget.windowSeconds }) });
const limitsInMemory = () => new RateLimits({ writes: inMemory(budgets.writes), reads: inMemory(budgets.reads), public: inMemory(budgets.public) });

describe('budgets', () => {
  it('reads with GET and HEAD, writes with everything else', () => {
    expect(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'].map(userBudgetFor)).toEqual(['reads', 'reads', 'writes', 'writes', 'writes', 'writes']);
  });

  it('counts writes and reads per hour, public requests per minute', () => {
    expect(budgetsFrom({ writesPerHour: 100, readsPerHour: 1000, publicPerMinute: 60 })).toEqual({
      writes: { name: 'writes', points: 100, windowSeconds: 3600 },
      reads: { name: 'reads', points: 1000, windowSeconds: 3600 },
      public: { name: 'public', points: 60, windowSeconds: 60 },
    });
  });
});

describe('RateLimits', () => {
  it('counts down to zero, then refuses until the window ends', async () => {
    const limits = limitsInMemory();
    const verdicts = [];
    for (let i = 0; i < 5; i++) verdicts.push(await limits.consume('writes', 'user-1'));
    expect(verdicts.map((v) => [v.allowed, v.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
      [false, 0],
    ]);
    for (const verdict of verdicts) {
      expect(verdict.budget).toBe(budgets.writes);
      expect(verdict.resetSeconds).toBeGreaterThan(3590);
      expect(verdict.resetSeconds).toBeLessThanOrEqual(3600);
    }
  });

  it('keeps callers and budgets apart', async () => {
    const limits = limitsInMemory();
    for (let i = 0; i < 3; i++) await limits.consume('writes', 'user-1');
    expect((await limits.consume('writes', 'user-1')).allowed).toBe(false);
    expect(await limits.consume('writes', 'user-2')).toMatchObject({ allowed: true, remaining: 2 });
    expect(await limits.consume('reads', 'user-1')).toMatchObject({ allowed: true, remaining: 4 });
    expect(await limits.consume('public', 'user-1')).toMatchObject({ allowed: true, remaining: 1, budget: budgets.public });
  });
});

describe('redisRateLimiter when Redis is down', () => {
  let deadRedis: Server;
  let connection: RateLimitConnection;

  beforeAll(async () => {
    // A port that accepts and at once closes connections: Redis is "there" but never answers.
    deadRedis = createServer((socket) => socket.destroy());
    await new Promise<void>((resolve) => deadRedis.listen(0, '127.0.0.1', resolve));
    const { port } = deadRedis.address() as { port: number };
    connection = new RateLimitConnection({ redis: { url: `redis://127.0.0.1:${port}`, queuePrefix: 'unit' } } as AppConfig);
  });

  afterAll(async () => {
    connection.onApplicationShutdown();
    await new Promise((resolve) => deadRedis.close(resolve));
  });

  it('falls back to the same budget in memory instead of failing requests', async () => {
    const limits = new RateLimits({
      writes: { budget: budgets.writes, limiter: redisRateLimiter(connection.client, budgets.writes, 'unit') },
      reads: { budget: budgets.reads, limiter: redisRateLimiter(connection.client, budgets.reads, 'unit') },
      public: { budget: budgets.public, limiter: redisRateLimiter(connection.client, budgets.public, 'unit') },
    });
    const started = Date.now();
    const verdicts = [];
    for (let i = 0; i < 4; i++) verdicts.push(await limits.consume('writes', 'user-1'));
    expect(verdicts.map((v) => [v.allowed, v.remaining])).toEqual([
      [true, 2],
      [true, 1],
      [true, 0],
      [false, 0],
    ]);
    expect(await limits.consume('writes', 'user-2')).toMatchObject({ allowed: true, remaining: 2 });
    // No waiting for a reconnect: the insurance limiter answers at once.
    expect(Date.now() - started).toBeLessThan(500);
    expect(connection.client.status).not.toBe('ready');
  });
});
