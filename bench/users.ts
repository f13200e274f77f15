import { TokenCipher, keyIdOf } from '../libs/core/src';
import { Pool } from 'pg';

export interface BenchUser {
  id: string;
  subject: string;
}

/**
 * Creates `count` users with both platforms connected, straight in the database (the API path is measured
 * elsewhere; connecting 25,000 users through it would only measure the fakes). Tokens follow the fakes'
 * accept-any-token patterns, encrypted exactly as the gateway does.
 */
export async function createUsers(db: Pool, count: number, encryptionKey: string, prefix: string): Promise<BenchUser[]> {
  const key = Buffer.from(encryptionKey, 'base64');
  const cipher = new TokenCipher([{ id: keyIdOf(key), key }]);
  const users: BenchUser[] = [];
  for (let start = 0; start < count; start += 1000) {
    const subjects = Array.from({ length: Math.min(1000, count - start) }, (_, i) => `${prefix}${start + i}`);
    const { rows } = await db.query(`INSERT INTO users (subject) SELECT unnest($1::text[]) RETURNING id, subject`, [subjects]);
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (const row of rows as BenchUser[]) {
      users.push(row);
      for (const [platform, token] of [
        ['github', `ghp_${row.subject.replace(/[^A-Za-z0-9]/g, '')}`],
        ['slack', `xoxp-${row.subject.replace(/[^A-Za-z0-9]/g, '')}`],
      ]) {
        const sealed = cipher.encrypt(token, `${row.id}/${platform}`);
        const n = values.length;
        tuples.push(`($${n + 1}, $${n + 2}, $${n + 3}, $${n + 3}, $${n + 4}, $${n + 5})`);
        values.push(row.id, platform, row.subject, sealed.ciphertext, sealed.keyId);
      }
    }
    await db.query(
      `INSERT INTO platform_configs (user_id, platform, account_id, account_name, token_ciphertext, token_key_id) VALUES ${tuples.join(',')}`,
      values,
    );
  }
  return users;
}
