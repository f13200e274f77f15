import { AppConfig } from '@statusync/core';

/**
 * Three separate budgets. Writes are the expensive, abusable part (each one reaches GitHub and Slack);
 * reads are cheap and clients poll `GET /status/updates/:id` while an update settles, so they get ten times
 * as much. Public routes have no user and are budgeted per client address instead.
 */
export type BudgetName = 'writes' | 'reads' | 'public';

export interface Budget {
  name: BudgetName;
  /** Requests allowed per window. */
  points: number;
  windowSeconds: number;
}

export function budgetsFrom(limits: AppConfig['rateLimit']): Record<BudgetName, Budget> {
  return {
    writes: { name: 'writes', points: limits.writesPerHour, windowSeconds: 3_600 },
    reads: { name: 'reads', points: limits.readsPerHour, windowSeconds: 3_600 },
    public: { name: 'public', points: limits.publicPerMinute, windowSeconds: 60 },
  };
}

/** Safe methods read; everything else (POST, PUT, PATCH, DELETE) counts as a write. */
export const userBudgetFor = (method: string): 'reads' | 'writes' => (method === 'GET' || method === 'HEAD' ? 'reads' : 'writes');
