import { secretContext, TokenCipher } from '@statusync/core';
import { DataSource } from 'typeorm';

/** Operator commands that must see every user's rows run as this role (docs/security.md). */
export const SYSTEM_ROLE = 'statusync_system';

export interface RotationResult {
  rotated: number;
  /** Secrets sealed with a key that is not configured any more: they cannot be read, so cannot be rotated. */
  unknownKey: number;
  /** Secrets whose ciphertext did not decrypt (tampered or bound to another row). */
  undecryptable: number;
}

/**
 * Each encrypted column, its table, key-id column and the context it is bound to (`platform` is the SQL giving
 * the second part of the context: the platform, or `calendar:<id>` for a calendar feed URL).
 */
const SECRETS = [
  { table: 'platform_configs', platform: 'platform', ciphertext: 'token_ciphertext', keyId: 'token_key_id', context: (row: SecretRow) => secretContext(row.user_id, row.platform) },
  {
    table: 'platform_configs',
    platform: 'platform',
    ciphertext: 'refresh_token_ciphertext',
    keyId: 'refresh_token_key_id',
    context: (row: SecretRow) => secretContext(row.user_id, row.platform, 'refresh'),
  },
  { table: 'calendar_connections', platform: `'calendar:' || id`, ciphertext: 'url_ciphertext', keyId: 'url_key_id', context: (row: SecretRow) => secretContext(row.user_id, row.platform) },
  // Google/Microsoft calendar tokens (calendarTokenContext in @statusync/calendar-feeds).
  {
    table: 'calendar_connections',
    platform: `'calendar:' || id || ':oauth'`,
    ciphertext: 'access_token_ciphertext',
    keyId: 'access_token_key_id',
    context: (row: SecretRow) => secretContext(row.user_id, row.platform),
  },
  {
    table: 'calendar_connections',
    platform: `'calendar:' || id || ':oauth'`,
    ciphertext: 'refresh_token_ciphertext',
    keyId: 'refresh_token_key_id',
    context: (row: SecretRow) => secretContext(row.user_id, row.platform, 'refresh'),
  },
  // Webhook signing secrets, current and (during a rotation) previous: the contexts of @statusync/queue's webhook-secret.ts.
  { table: 'webhooks', platform: `'webhook:' || id`, ciphertext: 'secret_ciphertext', keyId: 'secret_key_id', context: (row: SecretRow) => secretContext(row.user_id, row.platform) },
  {
    table: 'webhooks',
    platform: `'webhook:' || id || ':previous'`,
    ciphertext: 'previous_secret_ciphertext',
    keyId: 'previous_secret_key_id',
    context: (row: SecretRow) => secretContext(row.user_id, row.platform),
  },
] as const;

interface SecretRow {
  id: string;
  user_id: string;
  platform: string;
  ciphertext: Buffer;
  key_id: string;
}

const BATCH_SIZE = 100;
const LOCKED_ROW_WAIT_MS = 200;

/**
 * Re-encrypts every stored secret (tokens, refresh tokens, calendar feed URLs, webhook secrets) with the newest key. Resumable (it only picks
 * secrets still on an older key) and safe while the services run: each batch locks its rows, and rows a worker
 * holds right now are skipped and picked up on a later pass. The services must already know the new key (first
 * in TOKEN_ENCRYPTION_KEYS) before this runs, since rotated secrets are sealed with it.
 */
export async function rotateTokenKeys(db: DataSource, cipher: TokenCipher, keyIds: string[]): Promise<RotationResult> {
  const olderKeys = keyIds.filter((id) => id !== cipher.currentKeyId);
  const total: RotationResult = { rotated: 0, unknownKey: 0, undecryptable: 0 };
  for (const secret of SECRETS) {
    const failed: string[] = [];
    const stale = `${secret.keyId} = ANY($1) AND NOT (id = ANY($2))`;
    for (;;) {
      const done = await db.transaction(async (manager) => {
        const rows = (await manager.query(
          `SELECT id, user_id, ${secret.platform} AS platform, ${secret.ciphertext} AS ciphertext, ${secret.keyId} AS key_id FROM ${secret.table}
           WHERE ${stale} ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
          [olderKeys, failed, BATCH_SIZE],
        )) as SecretRow[];
        for (const row of rows) {
          let plaintext: string;
          try {
            plaintext = cipher.decrypt({ ciphertext: row.ciphertext, keyId: row.key_id }, secret.context(row));
          } catch {
            failed.push(row.id);
            continue;
          }
          const sealed = cipher.encrypt(plaintext, secret.context(row));
          await manager.query(`UPDATE ${secret.table} SET ${secret.ciphertext} = $2, ${secret.keyId} = $3 WHERE id = $1`, [row.id, sealed.ciphertext, sealed.keyId]);
          total.rotated++;
        }
        return rows.length;
      });
      if (done > 0) continue;
      const [{ waiting }] = (await db.query(`SELECT count(*)::int AS waiting FROM ${secret.table} WHERE ${stale}`, [olderKeys, failed])) as { waiting: number }[];
      if (waiting === 0) break;
      // Rows a worker holds right now: try again shortly.
      await new Promise((resolve) => setTimeout(resolve, LOCKED_ROW_WAIT_MS));
    }
    const [{ unknown }] = (await db.query(
      `SELECT count(*)::int AS unknown FROM ${secret.table} WHERE ${secret.keyId} IS NOT NULL AND NOT (${secret.keyId} = ANY($1))`,
      [keyIds],
    )) as { unknown: number }[];
    total.unknownKey += unknown;
    total.undecryptable += failed.length;
  }
  await db.query(`INSERT INTO audit_events (user_id, event, details) VALUES (NULL, 'keys.rotated', $1)`, [
    JSON.stringify({ toKeyId: cipher.currentKeyId, ...total }),
  ]);
  return total;
}
