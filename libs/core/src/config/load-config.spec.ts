import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from './config-error';
import { loadConfig } from './load-config';

const key = Buffer.alloc(32, 7).toString('base64');
const secretsFile = () => join(mkdtempSync(join(tmpdir(), 'statusync-cfg-')), 'dev-secrets.json');

describe('loadConfig', () => {
  it('applies working defaults for a local machine', () => {
    const config = loadConfig({ TOKEN_ENCRYPTION_KEY: key, JWT_SECRET: 'x'.repeat(32) });
    expect(config.ports.apiGateway).toBe(3000);
    expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/postgres');
    expect(config.redis.url).toBe('redis://127.0.0.1:6379');
    expect(config.platforms.githubGraphqlUrl).toBe('https://api.github.com/graphql');
    expect(config.platforms.slackApiUrl).toBe('https://slack.com/api/');
    expect(config.generatedDevSecrets).toEqual([]);
  });

  it.each([
    ['PORT', 'abc'],
    ['DATABASE_URL', 'mysql://localhost/db'],
    ['REDIS_URL', 'not a url'],
    ['TOKEN_ENCRYPTION_KEY', Buffer.alloc(16).toString('base64')],
    ['JWT_SECRET', 'short'],
    ['GITHUB_GRAPHQL_URL', 'ftp://example.com'],
  ])('names the bad variable %s', (variable, value) => {
    const run = () => loadConfig({ TOKEN_ENCRYPTION_KEY: key, JWT_SECRET: 'x'.repeat(32), [variable]: value });
    expect(run).toThrow(ConfigError);
    expect(run).toThrow(new RegExp(variable));
  });

  it('refuses to start in production without the secrets', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/TOKEN_ENCRYPTION_KEY is required.*JWT_SECRET is required/);
  });

  it('accepts a JWKS URL instead of a shared secret in production', () => {
    const config = loadConfig({ NODE_ENV: 'production', TOKEN_ENCRYPTION_KEY: key, JWT_JWKS_URL: 'https://id.example.com/jwks' });
    expect(config.jwt).toEqual({ jwksUrl: 'https://id.example.com/jwks', secret: undefined, issuer: undefined, audience: undefined });
  });

  describe('OAuth apps', () => {
    const load = (env: Record<string, string>) => loadConfig({ TOKEN_ENCRYPTION_KEY: key, JWT_SECRET: 'x'.repeat(32), ...env });

    it('offers no OAuth app by default, with github.com and slack.com as providers', () => {
      expect(load({}).oauth).toEqual({
        redirectBaseUrl: 'http://127.0.0.1:3000',
        github: { url: 'https://github.com', client: null },
        slack: { url: 'https://slack.com', client: null },
      });
    });

    it('reads each app, and the public base URL without a trailing slash', () => {
      const { oauth } = load({
        GITHUB_OAUTH_URL: 'https://ghe.example.com',
        GITHUB_OAUTH_CLIENT_ID: 'Iv1.abc',
        GITHUB_OAUTH_CLIENT_SECRET: 'gh-secret',
        SLACK_OAUTH_CLIENT_ID: '111.222',
        SLACK_OAUTH_CLIENT_SECRET: 'sl-secret',
        OAUTH_REDIRECT_BASE_URL: 'https://statusync.example.com/',
      });
      expect(oauth.redirectBaseUrl).toBe('https://statusync.example.com');
      expect(oauth.github).toEqual({ url: 'https://ghe.example.com', client: { id: 'Iv1.abc', secret: 'gh-secret' } });
      expect(oauth.slack).toEqual({ url: 'https://slack.com', client: { id: '111.222', secret: 'sl-secret' } });
    });

    it.each([
      [{ GITHUB_OAUTH_CLIENT_ID: 'Iv1.abc' }, /GITHUB_OAUTH_CLIENT_SECRET is required when GITHUB_OAUTH_CLIENT_ID is set/],
      [{ SLACK_OAUTH_CLIENT_SECRET: 's' }, /SLACK_OAUTH_CLIENT_ID is required when SLACK_OAUTH_CLIENT_SECRET is set/],
      [{ SLACK_OAUTH_URL: 'slack.com' }, /SLACK_OAUTH_URL/],
      [{ OAUTH_REDIRECT_BASE_URL: 'ftp://x' }, /OAUTH_REDIRECT_BASE_URL/],
    ])('refuses %p', (env, message) => {
      expect(() => load(env as Record<string, string>)).toThrow(message);
    });
  });

  describe('calendar providers', () => {
    const load = (env: Record<string, string>) => loadConfig({ TOKEN_ENCRYPTION_KEY: key, JWT_SECRET: 'x'.repeat(32), ...env });

    it('offers neither by default, at the real endpoints, and polls only without PUBLIC_BASE_URL', () => {
      const { calendars } = load({});
      expect(calendars.publicBaseUrl).toBeNull();
      expect(calendars.google).toEqual({
        authorizeUrl: 'https://accounts.google.com/o/oauth2/v2/auth',
        tokenUrl: 'https://oauth2.googleapis.com/token',
        apiUrl: 'https://www.googleapis.com',
        client: null,
      });
      expect(calendars.microsoft).toEqual({
        authorizeUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/authorize',
        tokenUrl: 'https://login.microsoftonline.com/common/oauth2/v2.0/token',
        apiUrl: 'https://graph.microsoft.com',
        client: null,
      });
    });

    it('reads the apps, a tenant and the public base URL', () => {
      const { calendars } = load({
        GOOGLE_CLIENT_ID: 'g.apps.googleusercontent.com',
        GOOGLE_CLIENT_SECRET: 'g-secret',
        MICROSOFT_CLIENT_ID: 'm-id',
        MICROSOFT_CLIENT_SECRET: 'm-secret',
        MICROSOFT_TENANT: 'contoso.onmicrosoft.com',
        PUBLIC_BASE_URL: 'https://statusync.example.com/',
      });
      expect(calendars.google.client).toEqual({ id: 'g.apps.googleusercontent.com', secret: 'g-secret' });
      expect(calendars.microsoft.tokenUrl).toBe('https://login.microsoftonline.com/contoso.onmicrosoft.com/oauth2/v2.0/token');
      expect(calendars.publicBaseUrl).toBe('https://statusync.example.com');
    });

    it.each([
      [{ GOOGLE_CLIENT_ID: 'g' }, /GOOGLE_CLIENT_SECRET is required when GOOGLE_CLIENT_ID is set/],
      [{ MICROSOFT_CLIENT_SECRET: 's' }, /MICROSOFT_CLIENT_ID is required when MICROSOFT_CLIENT_SECRET is set/],
      [{ MICROSOFT_TENANT: 'a/b' }, /MICROSOFT_TENANT/],
      [{ PUBLIC_BASE_URL: 'ftp://x' }, /PUBLIC_BASE_URL/],
    ])('refuses %p', (env, message) => {
      expect(() => load(env as Record<string, string>)).toThrow(message);
    });
  });

  describe('sync workers', () => {
    const load = (env: Record<string, string> = {}) => loadConfig({ TOKEN_ENCRYPTION_KEY: key, JWT_SECRET: 'x'.repeat(32), ...env });

    it('lets one pooled connection serve ten jobs in flight (a job holds one only to claim and settle)', () => {
      expect(load({ SYNC_CONCURRENCY: '100', DATABASE_POOL_SIZE: '10' }).sync.concurrency).toBe(100);
      expect(() => load({ SYNC_CONCURRENCY: '101', DATABASE_POOL_SIZE: '10' })).toThrow(/SYNC_CONCURRENCY is more than 10 jobs per database connection/);
    });

    it('budgets 10 Slack and 60 GitHub writes per user and minute by default; 0 turns one off', () => {
      expect(load().sync.writesPerMinute).toEqual({ slack: 10, github: 60 });
      expect(load({ SYNC_SLACK_WRITES_PER_MINUTE: '0' }).sync.writesPerMinute).toEqual({ slack: 0, github: 60 });
    });
  });

  describe('rate limits and HTTP', () => {
    const load = (env: Record<string, string> = {}) => loadConfig({ TOKEN_ENCRYPTION_KEY: key, JWT_SECRET: 'x'.repeat(32), ...env });

    it('defaults to 100 writes and 1000 reads per user and hour, 60 public requests per address and minute, no proxy, no CORS', () => {
      const config = load();
      expect(config.rateLimit).toEqual({ writesPerHour: 100, readsPerHour: 1000, publicPerMinute: 60 });
      expect(config.http).toEqual({ trustProxy: false, corsOrigins: [] });
    });

    it('reads the budgets', () => {
      const config = load({ RATE_LIMIT_WRITES_PER_HOUR: '5', RATE_LIMIT_READS_PER_HOUR: '50', RATE_LIMIT_PUBLIC_PER_MINUTE: '7' });
      expect(config.rateLimit).toEqual({ writesPerHour: 5, readsPerHour: 50, publicPerMinute: 7 });
    });

    it.each([
      ['true', true],
      ['false', false],
      ['10.0.0.1', ['10.0.0.1']],
      ['loopback, uniquelocal', ['loopback', 'uniquelocal']],
      ['10.0.0.0/8, 192.168.1.7,::1/128', ['10.0.0.0/8', '192.168.1.7', '::1/128']],
    ])('reads TRUST_PROXY=%s', (value, expected) => {
      expect(load({ TRUST_PROXY: value }).http.trustProxy).toEqual(expected);
    });

    it('reads exact CORS origins', () => {
      expect(load({ CORS_ORIGINS: 'https://app.example.com, http://localhost:5173' }).http.corsOrigins).toEqual([
        'https://app.example.com',
        'http://localhost:5173',
      ]);
    });

    it.each([
      ['RATE_LIMIT_WRITES_PER_HOUR', '0'],
      ['RATE_LIMIT_READS_PER_HOUR', '1.5'],
      ['RATE_LIMIT_PUBLIC_PER_MINUTE', 'many'],
      ['TRUST_PROXY', 'yes'],
      ['TRUST_PROXY', '1'],
      ['TRUST_PROXY', '10.0.0.0/33'],
      ['TRUST_PROXY', '10.0.0.1,proxy.internal'],
      ['CORS_ORIGINS', '*'],
      ['CORS_ORIGINS', 'https://app.example.com/'],
      ['CORS_ORIGINS', 'https://app.example.com/path'],
      ['CORS_ORIGINS', 'app.example.com'],
      ['CORS_ORIGINS', 'ftp://files.example.com'],
    ])('refuses %s=%s, naming it', (variable, value) => {
      expect(() => load({ [variable]: value })).toThrow(new RegExp(`Invalid configuration: ${variable} `));
    });
  });

  it('generates development secrets once, in a private file, and reuses them', () => {
    const file = secretsFile();
    const first = loadConfig({ STATUSYNC_DEV_SECRETS_FILE: file });
    const second = loadConfig({ STATUSYNC_DEV_SECRETS_FILE: file });
    expect(first.generatedDevSecrets).toEqual(['TOKEN_ENCRYPTION_KEY', 'JWT_SECRET']);
    expect(second.jwt.secret).toBe(first.jwt.secret);
    expect(second.tokenEncryptionKeys[0].key.equals(first.tokenEncryptionKeys[0].key)).toBe(true);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('takes several encryption keys, newest first, for rotation', () => {
    const older = Buffer.alloc(32, 1).toString('base64');
    const newer = Buffer.alloc(32, 2).toString('base64');
    const config = loadConfig({ TOKEN_ENCRYPTION_KEYS: `${newer}, ${older}`, JWT_SECRET: 'x'.repeat(32) });
    expect(config.tokenEncryptionKeys.map((k) => k.key.toString('base64'))).toEqual([newer, older]);
    expect(new Set(config.tokenEncryptionKeys.map((k) => k.id)).size).toBe(2);
  });

  it('refuses TOKEN_ENCRYPTION_KEY and TOKEN_ENCRYPTION_KEYS together, and a bad key in the list', () => {
    expect(() => loadConfig({ TOKEN_ENCRYPTION_KEY: key, TOKEN_ENCRYPTION_KEYS: key, JWT_SECRET: 'x'.repeat(32) })).toThrow(/TOKEN_ENCRYPTION_KEYS/);
    expect(() => loadConfig({ TOKEN_ENCRYPTION_KEYS: `${key},short`, JWT_SECRET: 'x'.repeat(32) })).toThrow(/TOKEN_ENCRYPTION_KEYS/);
  });
});
