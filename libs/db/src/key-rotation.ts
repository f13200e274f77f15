import { TokenCipher } from '@statusync/core';
import { DataSource } from 'typeorm';

/** Operator commands that must see every user's rows run as this role (docs/security.md). */
export const SYSTEM_ROLE = 'statusync_system';

export interface RotationResult {
  rotated: number;
  /** Rows sealed with a key that is not configured any more: they cannot be read, so cannot be rotated. */
  unknownKey: number;
  /** Rows whose ciphertext did not decrypt (tampered or bound to another row). */
  undecryptable: number;
}

const BATCH_SIZE = 100;
const LOCKED_ROW_WAIT_MS = 200;

/**
 * Re-encrypts every stored platform token with the newest key. Resumable (it only picks rows still on an
 * older key) and safe while the services run: each batch locks its rows, and rows a worker holds right now
 * are skipped and picked up on a later pass. The services must already know the new key (first in
 * TOKEN_ENCRYPTION_KEYS) before this runs, since rotated rows are sealed with it.
 */
export async function rotateTokenKeys(db: DataSource, cipher: TokenCipher, keyIds: string[]): Promise<RotationResult> {
  const olderKeys = keyIds.filter((id) => id !== cipher.currentKeyId);
  const failed: string[] = [];
  let rotated = 0;
  for (;;) {
    const done = await db.transaction(async (manager) => {
      const rows = (await manager.query(
        `SELECT id, user_id, platform, token_ciphertext, token_key_id FROM platform_configs
         WHERE token_key_id = ANY($1) AND NOT (id = ANY($2))
         ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED`,
        [olderKeys, failed, BATCH_SIZE],
      )) as { id: string; user_id: string; platform: string; token_ciphertext: Buffer; token_key_id: string }[];
      for (const row of rows) {
        const context = `${row.user_id}/${row.platform}`;
        let token: string;
        try {
          token = cipher.decrypt({ ciphertext: row.token_ciphertext, keyId: row.token_key_id }, context);
        } catch {
          failed.push(row.id);
          continue;
        }
        const sealed = cipher.encrypt(token, context);
        await manager.query(`UPDATE platform_configs SET token_ciphertext = $2, token_key_id = $3 WHERE id = $1`, [row.id, sealed.ciphertext, sealed.keyId]);
        rotated++;
      }
      return rows.length;
    });
    if (done > 0) continue;
    const [{ waiting }] = (await db.query(`SELECT count(*)::int AS waiting FROM platform_configs WHERE token_key_id = ANY($1) AND NOT (id = ANY($2))`, [
      olderKeys,
      failed,
    ])) as { waiting: number }[];
    if (waiting === 0) break;
    // Rows a worker holds right now: try again shortly.
    await new Promise((resolve) => setTimeout(resolve, LOCKED_ROW_WAIT_MS));
  }
  const [{ unknown }] = (await db.query(`SELECT count(*)::int AS unknown FROM platform_configs WHERE NOT (token_key_id = ANY($1))`, [keyIds])) as {
    unknown: number;
  }[];
  await db.query(`INSERT INTO audit_events (user_id, event, details) VALUES (NULL, 'keys.rotated', $1)`, [
    JSON.stringify({ toKeyId: cipher.currentKeyId, rotated, unknownKey: unknown, undecryptable: failed.length }),
  ]);
  return { rotated, unknownKey: unknown, undecryptable: failed.length };
}
