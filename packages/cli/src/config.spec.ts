import { mkdtempSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configFile, loadConfig, saveConfig } from './config';

describe('CLI config', () => {
  const env = () => ({ XDG_CONFIG_HOME: mkdtempSync(join(tmpdir(), 'statusync-config-')) });

  it('is saved 0600 in a 0700 folder, also over an existing, more open file', () => {
    const e = env();
    saveConfig({ apiUrl: 'http://a', token: 't1' }, e);
    writeFileSync(configFile(e), '{}', { mode: 0o644 });
    saveConfig({ apiUrl: 'http://a', token: 't2' }, e);
    expect(statSync(configFile(e)).mode & 0o777).toBe(0o600);
    expect(statSync(join(e.XDG_CONFIG_HOME, 'statusync')).mode & 0o777).toBe(0o700);
    expect(loadConfig({}, e)).toEqual({ apiUrl: 'http://a', token: 't2' });
  });

  it('lets the environment and flags override the saved login, and says how to log in when there is none', () => {
    const e = env();
    expect(() => loadConfig({}, e)).toThrow(/statusync login/);
    expect(loadConfig({ token: 'flag' }, { ...e, STATUSYNC_API_URL: 'http://env', STATUSYNC_TOKEN: 'env' })).toEqual({ apiUrl: 'http://env', token: 'flag' });
  });
});
