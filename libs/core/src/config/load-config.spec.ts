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
