import { RateLimiterAbstract, RateLimiterRes } from 'rate-limiter-flexible';
import { Budget, BudgetName } from './budgets';

/** What one request did to its caller's budget. */
export interface RateLimitVerdict {
  allowed: boolean;
  budget: Budget;
  remaining: number;
  /** Seconds until the window ends and the budget is full again (at least 1). */
  resetSeconds: number;
}

export type BudgetLimiters = Record<BudgetName, { budget: Budget; limiter: RateLimiterAbstract }>;

/** Counts one request against a caller's budget. Knows nothing of HTTP; the guard and the hooks answer. */
export class RateLimits {
  constructor(private readonly limiters: BudgetLimiters) {}

  async consume(name: BudgetName, caller: string): Promise<RateLimitVerdict> {
    const { budget, limiter } = this.limiters[name];
    try {
      return verdict(true, budget, await limiter.consume(caller));
    } catch (outcome) {
      // rate-limiter-flexible rejects with a RateLimiterRes when the budget is spent, with an Error otherwise.
      if (outcome instanceof RateLimiterRes) return verdict(false, budget, outcome);
      throw outcome;
    }
  }
}

const verdict = (allowed: boolean, budget: Budget, res: RateLimiterRes): RateLimitVerdict => ({
  allowed,
  budget,
  remaining: allowed ? res.remainingPoints : 0,
  resetSeconds: Math.max(1, Math.ceil(res.msBeforeNext / 1000)),
});
