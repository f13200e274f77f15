import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

const ALGORITHM = 'aes-256-gcm';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;

export interface EncryptedSecret {
  /** nonce (12 bytes) ‖ ciphertext ‖ GCM tag (16 bytes). */
  ciphertext: Buffer;
  keyId: string;
}

export class UnknownKeyError extends Error {
  constructor(keyId: string) {
    super(`No encryption key with id ${keyId} is configured`);
    this.name = 'UnknownKeyError';
  }
}

/**
 * AES-256-GCM for secrets at rest. A random nonce per secret; the key id travels with the ciphertext so old
 * keys can still decrypt after rotation. `context` is bound as additional authenticated data, so a ciphertext
 * copied to another row (another user or platform) fails to decrypt.
 */
export class TokenCipher {
  private readonly keys: Map<string, Buffer>;
  private readonly current: { id: string; key: Buffer };

  constructor(keys: { id: string; key: Buffer }[]) {
    if (keys.length === 0) throw new Error('TokenCipher needs at least one key');
    for (const { id, key } of keys) {
      if (key.length !== 32) throw new Error(`Encryption key ${id} must be 32 bytes`);
    }
    this.keys = new Map(keys.map(({ id, key }) => [id, key]));
    this.current = keys[0];
  }

  get currentKeyId(): string {
    return this.current.id;
  }

  encrypt(plaintext: string, context: string): EncryptedSecret {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv(ALGORITHM, this.current.key, nonce);
    cipher.setAAD(Buffer.from(context, 'utf8'));
    const body = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
    return { ciphertext: Buffer.concat([nonce, body, cipher.getAuthTag()]), keyId: this.current.id };
  }

  decrypt({ ciphertext, keyId }: EncryptedSecret, context: string): string {
    const key = this.keys.get(keyId);
    if (!key) throw new UnknownKeyError(keyId);
    const nonce = ciphertext.subarray(0, NONCE_BYTES);
    const tag = ciphertext.subarray(ciphertext.length - TAG_BYTES);
    const body = ciphertext.subarray(NONCE_BYTES, ciphertext.length - TAG_BYTES);
    const decipher = createDecipheriv(ALGORITHM, key, nonce);
    decipher.setAAD(Buffer.from(context, 'utf8'));
    decipher.setAuthTag(tag);
    return Buffer.concat([decipher.update(body), decipher.final()]).toString('utf8');
  }
}
