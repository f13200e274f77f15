import { ConfigError } from './config-error';
import { loadConfig } from './load-config';

const base = { TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'), JWT_SECRET: 'x'.repeat(32) };

describe('history retention settings', () => {
  it('keeps 90 days and purges hourly by default', () => {
    expect(loadConfig(base).history).toEqual({ retentionDays: 90, purgeIntervalMs: 3_600_000 });
  });

  it('reads both variables', () => {
    expect(loadConfig({ ...base, HISTORY_RETENTION_DAYS: '30', HISTORY_PURGE_INTERVAL_MS: '60000' }).history).toEqual({
      retentionDays: 30,
      purgeIntervalMs: 60_000,
    });
  });

  it.each([
    ['HISTORY_RETENTION_DAYS', '0'],
    ['HISTORY_RETENTION_DAYS', '-5'],
    ['HISTORY_RETENTION_DAYS', '1.5'],
    ['HISTORY_RETENTION_DAYS', 'ninety'],
    ['HISTORY_PURGE_INTERVAL_MS', '10'],
  ])('names the bad variable %s=%s', (variable, value) => {
    const run = () => loadConfig({ ...base, [variable]: value });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(new RegExp(variable));
  });
});
