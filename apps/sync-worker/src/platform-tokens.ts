import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig, secretContext, TokenCipher } from '@statusync/core';
import { PlatformConfigsRepository, PlatformConfigWithSecret } from '@statusync/db';
import { OAuthProviderRegistry, PlatformAuthError, PlatformError } from '@statusync/platforms';
import { EntityManager } from 'typeorm';

/**
 * Refresh this long before the stored expiry: a token that would expire during the platform call, or on a clock a
 * little behind the platform's, is replaced first instead of failing the attempt.
 */
export const REFRESH_BEFORE_EXPIRY_MS = 5 * 60_000;

/** The stored token cannot be read (another key, or copied from another row). */
export class TokenUndecryptableError extends Error {}

/**
 * The tokens of one locked platform config: opens the access token, and for rotating providers (Slack token
 * rotation) trades the refresh token for a new pair and stores it in the caller's transaction, which holds the
 * row lock, so two workers never spend the same single-use refresh token.
 */
@Injectable()
export class PlatformTokens {
  private readonly cipher: TokenCipher;

  constructor(
    private readonly configs: PlatformConfigsRepository,
    private readonly oauth: OAuthProviderRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cipher = new TokenCipher(config.tokenEncryptionKeys);
  }

  accessToken(config: PlatformConfigWithSecret): string {
    try {
      return this.cipher.decrypt({ ciphertext: config.tokenCiphertext, keyId: config.tokenKeyId }, secretContext(config.userId, config.platform));
    } catch {
      throw new TokenUndecryptableError('stored token cannot be decrypted with the configured keys');
    }
  }

  canRefresh(config: PlatformConfigWithSecret): boolean {
    return config.refreshTokenCiphertext !== null && config.refreshTokenKeyId !== null;
  }

  /** True when the token is refreshable and expires within REFRESH_BEFORE_EXPIRY_MS (or already has). */
  expiresSoon(config: PlatformConfigWithSecret): boolean {
    return this.canRefresh(config) && config.tokenExpiresAt !== null && config.tokenExpiresAt.getTime() - Date.now() <= REFRESH_BEFORE_EXPIRY_MS;
  }

  /**
   * Replaces the pair and returns the new access token; `config` is updated to match. Throws a PlatformError: a
   * permanent one (refused or unreadable refresh token, no OAuth app configured) means only re-authorisation helps;
   * a transient one (rate limit, outage) leaves the stored pair as it was, still valid, for the next attempt.
   */
  async refresh(db: EntityManager, config: PlatformConfigWithSecret): Promise<string> {
    const provider = this.oauth.find(config.platform);
    if (!provider?.refresh) {
      throw new PlatformAuthError(config.platform, 'oauth_not_configured', `Refreshing a ${config.platform} token needs its OAuth app (client id and secret) configured`);
    }
    const context = secretContext(config.userId, config.platform, 'refresh');
    let refreshToken: string;
    try {
      refreshToken = this.cipher.decrypt({ ciphertext: config.refreshTokenCiphertext!, keyId: config.refreshTokenKeyId! }, context);
    } catch {
      throw new PlatformAuthError(config.platform, 'refresh_token_undecryptable', 'The stored refresh token cannot be decrypted with the configured keys');
    }
    const tokens = await provider.refresh(refreshToken);
    const access = this.cipher.encrypt(tokens.accessToken, secretContext(config.userId, config.platform));
    // A provider that stops rotating keeps no refresh token: the new access token is then used until refused.
    const refresh = tokens.refreshToken ? this.cipher.encrypt(tokens.refreshToken, context) : null;
    const sealed = {
      tokenCiphertext: access.ciphertext,
      tokenKeyId: access.keyId,
      refreshTokenCiphertext: refresh?.ciphertext ?? null,
      refreshTokenKeyId: refresh?.keyId ?? null,
      tokenExpiresAt: tokens.expiresAt,
    };
    await this.configs.storeRefreshedTokens(db, config.id, sealed);
    Object.assign(config, sealed);
    return tokens.accessToken;
  }
}

/** The platform says the (rotated) token is past its life: a refresh can fix that. */
export const isTokenExpired = (error: PlatformError) => error instanceof PlatformAuthError && error.code === 'token_expired';
