import { Controller, Get, Post } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host';
import { ProblemException, Public, RateLimitExempt } from '@statusync/core';
import { RateLimiterMemory } from 'rate-limiter-flexible';
import { AuthUser } from '../auth/auth-user';
import { Budget, budgetsFrom } from './budgets';
import { RateLimitGuard } from './rate-limit.guard';
import { RateLimits } from './rate-limits';

@Controller()
class Routes {
  @Get() read() {}
  @Post() write() {}
  @Public() @Get() open() {}
  @Public() @RateLimitExempt() @Get() probe() {}
}

const budgets = budgetsFrom({ writesPerHour: 2, readsPerHour: 3, publicPerMinute: 1 });
const inMemory = (budget: Budget) => ({ budget, limiter: new RateLimiterMemory({ points: budget.points, duration: budget.windowSeconds }) });

/** A reply that only records its headers, which is all the guard touches. */
class RecordingReply {
  readonly headers: Record<string, string> = {};
  header(name: string, value: string) {
    this.headers[name] = value;
    return this;
  }
}

const alice: AuthUser = { id: 'user-alice', subject: 'alice', orgId: null, role: 'member' };
const bob: AuthUser = { id: 'user-bob', subject: 'bob', orgId: null, role: 'member' };

describe('RateLimitGuard', () => {
  let guard: RateLimitGuard;

  beforeEach(() => {
    guard = new RateLimitGuard(new Reflector(), new RateLimits({ writes: inMemory(budgets.writes), reads: inMemory(budgets.reads), public: inMemory(budgets.public) }));
  });

  async function call(route: keyof Routes, request: { method: string; ip?: string; user?: AuthUser }) {
    const reply = new RecordingReply();
    const context = new ExecutionContextHost([{ ip: '192.0.2.1', ...request }, reply], Routes, Routes.prototype[route]);
    const outcome = await guard.canActivate(context).then(
      (allowed) => ({ allowed, error: undefined }),
      (error: unknown) => ({ allowed: false, error }),
    );
    return { ...outcome, headers: reply.headers };
  }

  it("draws GETs from the user's read budget and the rest from their write budget, with the headers", async () => {
    expect(await call('read', { method: 'GET', user: alice })).toEqual({
      allowed: true,
      error: undefined,
      headers: { 'RateLimit-Limit': '3', 'RateLimit-Remaining': '2', 'RateLimit-Reset': '3600', 'RateLimit-Policy': '3;w=3600' },
    });
    expect((await call('write', { method: 'POST', user: alice })).headers).toMatchObject({ 'RateLimit-Limit': '2', 'RateLimit-Remaining': '1', 'RateLimit-Policy': '2;w=3600' });
  });

  it('refuses the request after the budget with 429 problem details that say when to retry', async () => {
    await call('write', { method: 'POST', user: alice });
    await call('write', { method: 'POST', user: alice });
    const refused = await call('write', { method: 'DELETE', user: alice });
    expect(refused.allowed).toBe(false);
    expect(refused.error).toBeInstanceOf(ProblemException);
    const problem = refused.error as ProblemException;
    expect({ status: problem.getStatus(), slug: problem.slug, extensions: problem.extensions }).toEqual({
      status: 429,
      slug: 'too-many-requests',
      extensions: { retryAfterSeconds: 3600 },
    });
    expect(problem.message).toBe('Rate limit reached: 2 writes per hour; retry after 3600 seconds');
    expect(refused.headers).toMatchObject({ 'RateLimit-Remaining': '0', 'RateLimit-Reset': '3600' });
    // Another user, and the same user's reads, are untouched.
    expect((await call('write', { method: 'POST', user: bob })).allowed).toBe(true);
    expect((await call('read', { method: 'GET', user: alice })).allowed).toBe(true);
  });

  it('budgets @Public() routes per client address', async () => {
    expect((await call('open', { method: 'GET', ip: '198.51.100.7' })).headers).toMatchObject({ 'RateLimit-Limit': '1', 'RateLimit-Policy': '1;w=60' });
    const refused = await call('open', { method: 'GET', ip: '198.51.100.7' });
    expect((refused.error as ProblemException).message).toBe('Rate limit reached: 1 requests per minute; retry after 60 seconds');
    expect((await call('open', { method: 'GET', ip: '198.51.100.8' })).allowed).toBe(true);
  });

  it('never limits exempt routes (health) and adds no headers to them', async () => {
    for (let i = 0; i < 5; i++) expect(await call('probe', { method: 'GET' })).toEqual({ allowed: true, error: undefined, headers: {} });
  });

  it('fails loudly if it runs before authentication on a protected route', async () => {
    const outcome = await call('read', { method: 'GET' });
    expect((outcome.error as Error).message).toMatch(/before the JWT guard/);
  });
});
