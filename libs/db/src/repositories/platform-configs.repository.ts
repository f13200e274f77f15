import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { ConnectedVia, PlatformConfigEntity } from '../entities/platform-config.entity';

/** Sealed tokens (TokenCipher) as stored; the refresh token and expiry only for rotating providers. */
export interface SealedTokens {
  tokenCiphertext: Buffer;
  tokenKeyId: string;
  refreshTokenCiphertext?: Buffer | null;
  refreshTokenKeyId?: string | null;
  tokenExpiresAt?: Date | null;
}

export interface NewPlatformConfig extends SealedTokens {
  userId: string;
  platform: string;
  accountId: string;
  accountName: string;
  /** Default 'token' (pasted). */
  connectedVia?: ConnectedVia;
}

/** A config row with its encrypted tokens, for the one place that decrypts them (the sync worker). */
export type PlatformConfigWithSecret = PlatformConfigEntity & { tokenCiphertext: Buffer; refreshTokenCiphertext: Buffer | null };

/** Every method takes the user-scoped transaction (UserScope) it runs in. */
@Injectable()
export class PlatformConfigsRepository {
  listForUser(db: EntityManager, userId: string): Promise<PlatformConfigEntity[]> {
    return db.getRepository(PlatformConfigEntity).find({ where: { userId }, order: { platform: 'ASC' } });
  }

  /**
   * Inserts or replaces the user's config for a platform; a new token clears any re-auth flag, and replaces the
   * refresh token and expiry too (a pasted token has neither).
   */
  async upsert(db: EntityManager, config: NewPlatformConfig): Promise<PlatformConfigEntity> {
    await db.query(
      `INSERT INTO platform_configs (user_id, platform, account_id, account_name, token_ciphertext, token_key_id,
         refresh_token_ciphertext, refresh_token_key_id, token_expires_at, connected_via)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
       ON CONFLICT (user_id, platform) DO UPDATE SET
         account_id = EXCLUDED.account_id, account_name = EXCLUDED.account_name,
         token_ciphertext = EXCLUDED.token_ciphertext, token_key_id = EXCLUDED.token_key_id,
         refresh_token_ciphertext = EXCLUDED.refresh_token_ciphertext, refresh_token_key_id = EXCLUDED.refresh_token_key_id,
         token_expires_at = EXCLUDED.token_expires_at, connected_via = EXCLUDED.connected_via,
         state = 'active', reauth_reason = NULL, updated_at = now()`,
      [
        config.userId,
        config.platform,
        config.accountId,
        config.accountName,
        config.tokenCiphertext,
        config.tokenKeyId,
        config.refreshTokenCiphertext ?? null,
        config.refreshTokenKeyId ?? null,
        config.tokenExpiresAt ?? null,
        config.connectedVia ?? 'token',
      ],
    );
    return db.getRepository(PlatformConfigEntity).findOneByOrFail({ userId: config.userId, platform: config.platform });
  }

  async delete(db: EntityManager, userId: string, platform: string): Promise<boolean> {
    const result = await db.getRepository(PlatformConfigEntity).delete({ userId, platform });
    return (result.affected ?? 0) > 0;
  }

  /**
   * Locks the row until the surrounding transaction ends, so two jobs for the same user and platform never
   * talk to the platform at the same time: that is what makes last-write-wins hold across workers.
   */
  lockWithSecret(db: EntityManager, userId: string, platform: string): Promise<PlatformConfigWithSecret | null> {
    return db
      .getRepository(PlatformConfigEntity)
      .createQueryBuilder('config')
      .addSelect(['config.tokenCiphertext', 'config.refreshTokenCiphertext'])
      .where('config.userId = :userId AND config.platform = :platform', { userId, platform })
      .setLock('pessimistic_write')
      .getOne() as Promise<PlatformConfigWithSecret | null>;
  }

  async markApplied(db: EntityManager, id: string, updateId: string, seq: string): Promise<void> {
    await db.query(
      `UPDATE platform_configs SET applied_update_id = $2, applied_seq = $3, applied_at = now(), updated_at = now() WHERE id = $1`,
      [id, updateId, seq],
    );
  }

  /** Replaces the tokens after a refresh: only the newest pair is kept (a used refresh token is dead anyway). */
  async storeRefreshedTokens(db: EntityManager, id: string, tokens: SealedTokens): Promise<void> {
    await db.query(
      `UPDATE platform_configs SET token_ciphertext = $2, token_key_id = $3, refresh_token_ciphertext = $4, refresh_token_key_id = $5,
         token_expires_at = $6, updated_at = now() WHERE id = $1`,
      [id, tokens.tokenCiphertext, tokens.tokenKeyId, tokens.refreshTokenCiphertext ?? null, tokens.refreshTokenKeyId ?? null, tokens.tokenExpiresAt ?? null],
    );
  }

  async markReauthRequired(db: EntityManager, id: string, reason: string): Promise<void> {
    await db.query(`UPDATE platform_configs SET state = 'reauth_required', reauth_reason = $2, updated_at = now() WHERE id = $1`, [id, reason]);
  }
}
