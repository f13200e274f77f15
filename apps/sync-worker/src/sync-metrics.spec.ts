import { PlatformRateLimitError } from '@statusync/platforms';
import { metricsRegistry } from '@statusync/core';
import { countSyncCrash, countSyncResult } from './sync-metrics';

const value = async (name: string, labels: Record<string, string>) => {
  const metric = (await metricsRegistry.getMetricsAsJSON()).find((candidate) => candidate.name === name);
  const sample = (metric?.values ?? []).find((candidate) => Object.entries(labels).every(([key, label]) => candidate.labels[key] === label));
  return sample?.value ?? 0;
};

describe('countSyncResult', () => {
  beforeEach(() => metricsRegistry.resetMetrics());

  it('counts outcomes, and observes request→applied only for a success with its request time', async () => {
    countSyncResult('github', { kind: 'done', outcome: 'succeeded' }, new Date(Date.now() - 2_000));
    countSyncResult('github', { kind: 'done', outcome: 'superseded' }, new Date());
    countSyncResult('slack', { kind: 'done', outcome: 'skipped' });
    expect(await value('statusync_sync_jobs_completed_total', { platform: 'github', outcome: 'succeeded' })).toBe(1);
    expect(await value('statusync_sync_jobs_completed_total', { platform: 'github', outcome: 'superseded' })).toBe(1);
    expect(await value('statusync_sync_jobs_completed_total', { platform: 'slack', outcome: 'skipped' })).toBe(1);
    expect(await value('statusync_request_to_applied_seconds', { platform: 'github', le: '+Inf' })).toBe(1);
    expect(await value('statusync_request_to_applied_seconds', { platform: 'github', le: '1' })).toBe(0);
  });

  it('counts retries and failures by platform and error code; unclassified crashes as internal retries', async () => {
    const limited = new PlatformRateLimitError('slack', 'rate_limited', 'rate limited', 30_000);
    countSyncResult('slack', { kind: 'retry', error: limited });
    countSyncResult('github', { kind: 'failed', code: 'token_revoked', message: 'revoked' });
    countSyncCrash('github');
    expect(await value('statusync_sync_jobs_retried_total', { platform: 'slack', error_code: limited.code })).toBe(1);
    expect(await value('statusync_sync_jobs_failed_total', { platform: 'github', error_code: 'token_revoked' })).toBe(1);
    expect(await value('statusync_sync_jobs_retried_total', { platform: 'github', error_code: 'internal' })).toBe(1);
  });
});
