import { ConfigError } from './config-error';
import { loadConfig } from './load-config';

const base = { TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'), JWT_SECRET: 'x'.repeat(32) };

describe('webhook settings', () => {
  it('defaults to the Standard Webhooks schedule, 5 days to disable, 15 s timeout', () => {
    expect(loadConfig(base).webhooks).toEqual({
      retryScheduleMs: [0, 5_000, 300_000, 1_800_000, 7_200_000, 18_000_000, 36_000_000, 50_400_000, 72_000_000, 86_400_000],
      disableAfterMs: 5 * 86_400_000,
      timeoutMs: 15_000,
      concurrency: 10,
      sweepIntervalMs: 60_000,
      retentionDays: 30,
    });
  });

  it('reads a compressed schedule (tests) and the other variables', () => {
    const config = loadConfig({ ...base, WEBHOOK_RETRY_SCHEDULE: '0, 200,500', WEBHOOK_DISABLE_AFTER_MS: '60000', WEBHOOK_TIMEOUT_MS: '2000', WEBHOOK_CONCURRENCY: '3', WEBHOOK_SWEEP_INTERVAL_MS: '5000', WEBHOOK_RETENTION_DAYS: '7' });
    expect(config.webhooks).toEqual({ retryScheduleMs: [0, 200, 500], disableAfterMs: 60_000, timeoutMs: 2_000, concurrency: 3, sweepIntervalMs: 5_000, retentionDays: 7 });
  });

  it.each([
    ['WEBHOOK_RETRY_SCHEDULE', '0,5s'],
    ['WEBHOOK_RETRY_SCHEDULE', '0,-5'],
    ['WEBHOOK_RETRY_SCHEDULE', Array(21).fill('1').join(',')],
    ['WEBHOOK_RETRY_SCHEDULE', '0,999999999999'],
    ['WEBHOOK_DISABLE_AFTER_MS', '-1'],
    ['WEBHOOK_TIMEOUT_MS', '10'],
    ['WEBHOOK_CONCURRENCY', '0'],
    ['WEBHOOK_SWEEP_INTERVAL_MS', '10'],
    ['WEBHOOK_RETENTION_DAYS', '0'],
  ])('names the bad variable %s=%s', (variable, value) => {
    const run = () => loadConfig({ ...base, [variable]: value });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(new RegExp(variable));
  });
});
