import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig, ProblemException, secretContext, TokenCipher } from '@statusync/core';
import { AuditRepository, PlatformConfigsRepository, UserScope } from '@statusync/db';
import { OAuthGrant, OAuthProvider, OAuthProviderRegistry, PlatformError, PlatformId } from '@statusync/platforms';
import { AuthUser } from '../auth/auth-user';
import { platformUnavailable } from '../http/platform-unavailable';
import { PlatformConfigView } from '../platform-config/platform-config.dto';
import { toView } from '../platform-config/platform-config.service';
import { invalidState, OAuthCallback } from './callback-query';
import { OAuthStateError, OAuthStateRecord, OAuthStateService } from './oauth-state.service';
import { OAuthAuthorizeView } from './oauth.views';

/**
 * Connecting a platform through its OAuth flow: start() hands out the provider's authorize URL with a fresh state;
 * complete() checks the state, exchanges the code and stores the tokens encrypted, exactly as a pasted token is
 * stored (same row, same view), plus the refresh token and expiry of a rotating provider.
 */
@Injectable()
export class OAuthConnectService {
  private readonly logger = new Logger(OAuthConnectService.name);
  private readonly cipher: TokenCipher;
  private readonly redirectBaseUrl: string;

  constructor(
    private readonly providers: OAuthProviderRegistry,
    private readonly states: OAuthStateService,
    private readonly scope: UserScope,
    private readonly configs: PlatformConfigsRepository,
    private readonly audit: AuditRepository,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cipher = new TokenCipher(config.tokenEncryptionKeys);
    this.redirectBaseUrl = config.oauth.redirectBaseUrl;
  }

  async start(user: AuthUser, platform: PlatformId): Promise<OAuthAuthorizeView> {
    const provider = this.providerFor(platform);
    const { state, codeChallenge, expiresAt } = await this.states.issue(user.id, platform);
    const authorizeUrl = provider.authorizeUrl({ state, redirectUri: this.redirectUri(platform), codeChallenge });
    return { platform, authorizeUrl, expiresAt: expiresAt.toISOString() };
  }

  /** `caller` is set when the callback carried a bearer JWT: it must be the user the state was issued to. */
  async complete(platform: PlatformId, callback: OAuthCallback, caller: AuthUser | null, requestId: string | null): Promise<PlatformConfigView> {
    const provider = this.providerFor(platform);
    if (!callback.state) throw invalidState('state is missing');
    let issued: OAuthStateRecord;
    try {
      issued = await this.states.consume(platform, callback.state);
    } catch (error) {
      if (error instanceof OAuthStateError) throw invalidState(error.message);
      throw error;
    }
    const userId = issued.userId;
    if (caller && caller.id !== userId) {
      this.logger.warn({ userId: caller.id, platform, requestId }, 'oauth callback with a state issued to another user');
      throw invalidState('state was issued to another user');
    }
    if (callback.error) throw refused(platform, callback.error);
    if (!callback.code) throw new ProblemException(400, 'validation', 'Invalid request', 'The callback carries neither a code nor an error.', [{ field: 'code', reason: 'code is missing' }]);

    const grant = await this.exchange(provider, platform, callback.code, issued.codeVerifier);
    const saved = await this.scope.run(userId, async (db) => {
      const config = await this.configs.upsert(db, { userId, platform, accountId: grant.account.accountId, accountName: grant.account.accountName, connectedVia: 'oauth', ...this.seal(userId, platform, grant) });
      await this.audit.record(db, { userId, event: 'oauth.connected', details: { platform, accountName: grant.account.accountName, scopes: grant.scopes, rotating: grant.refreshToken !== null }, requestId });
      return config;
    });
    this.logger.log({ userId, platform, accountName: grant.account.accountName, via: 'oauth' }, 'platform connected');
    return toView(saved);
  }

  private async exchange(provider: OAuthProvider, platform: PlatformId, code: string, codeVerifier: string): Promise<OAuthGrant> {
    try {
      return await provider.exchange({ code, redirectUri: this.redirectUri(platform), codeVerifier });
    } catch (error) {
      if (!(error instanceof PlatformError)) throw error;
      if (error.permanent) throw refused(platform, error.code);
      throw platformUnavailable(platform, error, 'complete the connection');
    }
  }

  /** Each secret is bound to its row and purpose: the refresh token cannot be swapped in for the token. */
  private seal(userId: string, platform: PlatformId, grant: OAuthGrant) {
    const token = this.cipher.encrypt(grant.accessToken, secretContext(userId, platform));
    const refresh = grant.refreshToken ? this.cipher.encrypt(grant.refreshToken, secretContext(userId, platform, 'refresh')) : null;
    return {
      tokenCiphertext: token.ciphertext,
      tokenKeyId: token.keyId,
      refreshTokenCiphertext: refresh?.ciphertext ?? null,
      refreshTokenKeyId: refresh?.keyId ?? null,
      tokenExpiresAt: grant.expiresAt,
    };
  }

  private providerFor(platform: PlatformId): OAuthProvider {
    const provider = this.providers.find(platform);
    if (!provider) throw new ProblemException(404, 'not-configured', 'Not configured', `Connecting ${platform} with OAuth is not configured on this server; paste a token at POST /api/v1/config/platforms`);
    return provider;
  }

  /** Must be byte-for-byte the URI registered with the provider's app, in both the authorize and the token request. */
  private redirectUri(platform: PlatformId): string {
    return `${this.redirectBaseUrl}/api/v1/oauth/${platform}/callback`;
  }
}

/** The provider said no (a refused, used or foreign code, a declined consent, our client rejected): nothing stored. */
const refused = (platform: PlatformId, code: string) =>
  new ProblemException(422, 'oauth-refused', 'Authorisation refused by the platform', `${platform} refused the authorisation: ${code}`, [{ field: 'code', reason: `${platform} answered ${code}` }], {
    platform,
    platformError: code,
  });
