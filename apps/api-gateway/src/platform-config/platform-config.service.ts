import { Inject, Injectable, Logger } from '@nestjs/common';
import { APP_CONFIG, AppConfig, ProblemException, secretContext, TokenCipher } from '@statusync/core';
import { AuditRepository, PlatformConfigEntity, PlatformConfigsRepository, UserScope } from '@statusync/db';
import { PlatformAuthError, PlatformError, PlatformId, PlatformRegistry } from '@statusync/platforms';
import { platformUnavailable } from '../http/platform-unavailable';
import { PlatformConfigView } from './platform-config.dto';

export const toView = (config: PlatformConfigEntity): PlatformConfigView => ({
  platform: config.platform,
  accountName: config.accountName,
  state: config.state,
  reauthReason: config.reauthReason,
  connectedAt: config.createdAt.toISOString(),
  updatedAt: config.updatedAt.toISOString(),
});

/**
 * Connecting a platform: the token is checked against the platform first (the one call the gateway makes
 * to a platform), then stored encrypted. The encryption context binds it to this user and platform.
 */
@Injectable()
export class PlatformConfigService {
  private readonly logger = new Logger(PlatformConfigService.name);
  private readonly cipher: TokenCipher;

  constructor(
    private readonly scope: UserScope,
    private readonly configs: PlatformConfigsRepository,
    private readonly audit: AuditRepository,
    private readonly platforms: PlatformRegistry,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.cipher = new TokenCipher(config.tokenEncryptionKeys);
  }

  async connect(userId: string, platform: PlatformId, token: string, requestId: string | null): Promise<PlatformConfigView> {
    const account = await this.verify(platform, token);
    const sealed = this.cipher.encrypt(token, secretContext(userId, platform));
    const saved = await this.scope.run(userId, async (db) => {
      const config = await this.configs.upsert(db, {
        userId,
        platform,
        accountId: account.accountId,
        accountName: account.accountName,
        tokenCiphertext: sealed.ciphertext,
        tokenKeyId: sealed.keyId,
      });
      await this.audit.record(db, { userId, event: 'platform.connected', details: { platform, accountName: account.accountName, via: 'token' }, requestId });
      return config;
    });
    this.logger.log({ userId, platform, accountName: account.accountName }, 'platform connected');
    return toView(saved);
  }

  async list(userId: string): Promise<PlatformConfigView[]> {
    return (await this.scope.run(userId, (db) => this.configs.listForUser(db, userId))).map(toView);
  }

  async disconnect(userId: string, platform: PlatformId, requestId: string | null): Promise<void> {
    const removed = await this.scope.run(userId, async (db) => {
      const deleted = await this.configs.delete(db, userId, platform);
      if (deleted) await this.audit.record(db, { userId, event: 'platform.disconnected', details: { platform }, requestId });
      return deleted;
    });
    if (!removed) {
      throw new ProblemException(404, 'not-found', 'Not Found', `${platform} is not configured`);
    }
    this.logger.log({ userId, platform }, 'platform disconnected');
  }

  private async verify(platform: PlatformId, token: string) {
    try {
      return await this.platforms.get(platform).verify(token);
    } catch (error) {
      if (error instanceof PlatformAuthError || (error instanceof PlatformError && error.permanent)) {
        throw new ProblemException(422, 'invalid-token', 'Token rejected by the platform', `${platform} rejected the token: ${error.code}`, [
          { field: 'token', reason: `${platform} answered ${error.code}` },
        ], { platform, platformError: error.code });
      }
      if (error instanceof PlatformError) throw platformUnavailable(platform, error, 'check the token');
      throw error;
    }
  }
}
