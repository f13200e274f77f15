import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { PlatformConfigEntity } from '../entities/platform-config.entity';

export interface NewPlatformConfig {
  userId: string;
  platform: string;
  accountId: string;
  accountName: string;
  tokenCiphertext: Buffer;
  tokenKeyId: string;
}

/** A config row with its encrypted token, for the one place that decrypts it (the sync worker). */
export type PlatformConfigWithSecret = PlatformConfigEntity & { tokenCiphertext: Buffer };

/** Every method takes the user-scoped transaction (UserScope) it runs in. */
@Injectable()
export class PlatformConfigsRepository {
  listForUser(db: EntityManager, userId: string): Promise<PlatformConfigEntity[]> {
    return db.getRepository(PlatformConfigEntity).find({ where: { userId }, order: { platform: 'ASC' } });
  }

  /** Inserts or replaces the user's config for a platform; a new token clears any re-auth flag. */
  async upsert(db: EntityManager, config: NewPlatformConfig): Promise<PlatformConfigEntity> {
    await db.query(
      `INSERT INTO platform_configs (user_id, platform, account_id, account_name, token_ciphertext, token_key_id)
       VALUES ($1, $2, $3, $4, $5, $6)
       ON CONFLICT (user_id, platform) DO UPDATE SET
         account_id = EXCLUDED.account_id, account_name = EXCLUDED.account_name,
         token_ciphertext = EXCLUDED.token_ciphertext, token_key_id = EXCLUDED.token_key_id,
         state = 'active', reauth_reason = NULL, updated_at = now()`,
      [config.userId, config.platform, config.accountId, config.accountName, config.tokenCiphertext, config.tokenKeyId],
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
      .addSelect('config.tokenCiphertext')
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

  async markReauthRequired(db: EntityManager, id: string, reason: string): Promise<void> {
    await db.query(`UPDATE platform_configs SET state = 'reauth_required', reauth_reason = $2, updated_at = now() WHERE id = $1`, [id, reason]);
  }
}
