import { randomBytes } from 'node:crypto';
import { AppConfig, secretContext, TokenCipher } from '@statusync/core';
import type { PlatformConfigsRepository, PlatformConfigWithSecret } from '@statusync/db';
import { OAuthProviderRegistry, OAuthTokens, PlatformAuthError, PlatformRateLimitError } from '@statusync/platforms';
import type { EntityManager } from 'typeorm';
import { PlatformTokens, REFRESH_BEFORE_EXPIRY_MS, TokenUndecryptableError } from './platform-tokens';

/**
 * The worker's tokens: the stored access token opens only for its own row, a rotating provider's refresh stores the
 * new pair sealed (and drops the refresh token when the provider stops rotating), and every way a refresh can fail
 * is a PlatformError saying whether only re-authorisation helps.
 */
describe('PlatformTokens', () => {
  const keys = [{ id: 'k1', key: randomBytes(32) }];
  const cipher = new TokenCipher(keys);
  const USER = 'user-1';

  function configWith(fields: { access?: string; refresh?: string | null; expiresInMs?: number | null; platform?: string } = {}): PlatformConfigWithSecret {
    const platform = fields.platform ?? 'slack';
    const access = cipher.encrypt(fields.access ?? 'xoxe.xoxp-old', secretContext(USER, platform));
    const refresh = fields.refresh === null ? null : cipher.encrypt(fields.refresh ?? 'xoxe-1-old', secretContext(USER, platform, 'refresh'));
    const expiresInMs = fields.expiresInMs === undefined ? 60_000 : fields.expiresInMs;
    return {
      id: 'cfg-1',
      userId: USER,
      platform,
      tokenCiphertext: access.ciphertext,
      tokenKeyId: access.keyId,
      refreshTokenCiphertext: refresh?.ciphertext ?? null,
      refreshTokenKeyId: refresh?.keyId ?? null,
      tokenExpiresAt: expiresInMs === null ? null : new Date(Date.now() + expiresInMs),
    } as PlatformConfigWithSecret;
  }

  function tokensWith(refresh?: (token: string) => Promise<OAuthTokens>) {
    const stored: unknown[] = [];
    const configs = { storeRefreshedTokens: async (_db: EntityManager, id: string, sealed: unknown) => void stored.push({ id, sealed }) } as unknown as PlatformConfigsRepository;
    const oauth = { find: (platform: string) => (platform === 'slack' ? { refresh } : null) } as unknown as OAuthProviderRegistry;
    const tokens = new PlatformTokens(configs, oauth, { tokenEncryptionKeys: keys } as AppConfig);
    return { tokens, stored, db: {} as EntityManager };
  }

  it('opens the stored access token, and refuses one sealed for another row', () => {
    const { tokens } = tokensWith();
    expect(tokens.accessToken(configWith({ access: 'xoxp-mine' }))).toBe('xoxp-mine');
    const copied = { ...configWith({ access: 'xoxp-theirs' }), userId: 'user-2' } as PlatformConfigWithSecret;
    expect(() => tokens.accessToken(copied)).toThrow(TokenUndecryptableError);
  });

  it('refreshes only a refreshable token within five minutes of its expiry (or past it)', () => {
    const { tokens } = tokensWith();
    expect(tokens.expiresSoon(configWith({ expiresInMs: REFRESH_BEFORE_EXPIRY_MS - 1_000 }))).toBe(true);
    expect(tokens.expiresSoon(configWith({ expiresInMs: -1_000 }))).toBe(true);
    expect(tokens.expiresSoon(configWith({ expiresInMs: REFRESH_BEFORE_EXPIRY_MS + 60_000 }))).toBe(false);
    expect(tokens.expiresSoon(configWith({ expiresInMs: null }))).toBe(false);
    expect(tokens.expiresSoon(configWith({ refresh: null, expiresInMs: -1_000 }))).toBe(false);
  });

  it('trades the refresh token for a new pair, stores it sealed for this row and updates the config', async () => {
    const spent: string[] = [];
    const expiresAt = new Date(Date.now() + 12 * 3_600_000);
    const { tokens, stored, db } = tokensWith(async (token) => (spent.push(token), { accessToken: 'xoxe.xoxp-new', refreshToken: 'xoxe-1-new', expiresAt, scopes: [] } as OAuthTokens));
    const config = configWith();
    await expect(tokens.refresh(db, config)).resolves.toBe('xoxe.xoxp-new');
    expect(spent).toEqual(['xoxe-1-old']);
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain('xoxe'); // sealed, never in the clear
    expect(tokens.accessToken(config)).toBe('xoxe.xoxp-new');
    expect(cipher.decrypt({ ciphertext: config.refreshTokenCiphertext!, keyId: config.refreshTokenKeyId! }, secretContext(USER, 'slack', 'refresh'))).toBe('xoxe-1-new');
    expect(config.tokenExpiresAt).toBe(expiresAt);
  });

  it('drops the refresh token when the provider stops rotating (the new access token then lasts until refused)', async () => {
    const { tokens, db } = tokensWith(async () => ({ accessToken: 'xoxp-forever', refreshToken: null, expiresAt: null, scopes: [] }) as unknown as OAuthTokens);
    const config = configWith();
    await tokens.refresh(db, config);
    expect(config).toMatchObject({ refreshTokenCiphertext: null, refreshTokenKeyId: null, tokenExpiresAt: null });
    expect(tokens.canRefresh(config)).toBe(false);
    expect(tokens.expiresSoon(config)).toBe(false);
  });

  it('needs re-authorisation when no OAuth app can refresh, or the refresh token cannot be opened', async () => {
    const noApp = tokensWith(undefined);
    await expect(noApp.tokens.refresh(noApp.db, configWith())).rejects.toMatchObject({ code: 'oauth_not_configured', permanent: true });
    const github = tokensWith(async () => Promise.reject(new Error('never called')));
    await expect(github.tokens.refresh(github.db, configWith({ platform: 'github' }))).rejects.toMatchObject({ code: 'oauth_not_configured' });
    const { tokens, stored, db } = tokensWith(async () => Promise.reject(new Error('never called')));
    const foreign = { ...configWith(), userId: 'user-2' } as PlatformConfigWithSecret;
    await expect(tokens.refresh(db, foreign)).rejects.toMatchObject({ code: 'refresh_token_undecryptable', permanent: true });
    expect(stored).toEqual([]);
  });

  it('leaves the stored pair as it was when the provider fails, passing the failure on', async () => {
    const limited = new PlatformRateLimitError('slack', 'rate_limited', 'slow down', 30_000);
    const { tokens, stored, db } = tokensWith(async () => Promise.reject(limited));
    const config = configWith({ access: 'xoxe.xoxp-old' });
    await expect(tokens.refresh(db, config)).rejects.toBe(limited);
    expect(stored).toEqual([]);
    expect(tokens.accessToken(config)).toBe('xoxe.xoxp-old');
    const refused = new PlatformAuthError('slack', 'invalid_refresh_token', 'refused');
    await expect(tokensWith(async () => Promise.reject(refused)).tokens.refresh(db, configWith())).rejects.toBe(refused);
  });
});
