import { randomBytes } from 'node:crypto';
import { keyIdOf } from './key-id';
import { TokenCipher, UnknownKeyError } from './token-cipher';

const key = (bytes = randomBytes(32)) => ({ id: keyIdOf(bytes), key: bytes });

describe('TokenCipher', () => {
  const secret = 'xoxp-1234-secret-token';

  it('round-trips a secret and never stores the plaintext', () => {
    const cipher = new TokenCipher([key()]);
    const sealed = cipher.encrypt(secret, 'user-1/slack');
    expect(sealed.ciphertext.includes(Buffer.from(secret))).toBe(false);
    expect(cipher.decrypt(sealed, 'user-1/slack')).toBe(secret);
  });

  it('uses a fresh nonce for every secret', () => {
    const cipher = new TokenCipher([key()]);
    const a = cipher.encrypt(secret, 'ctx').ciphertext;
    const b = cipher.encrypt(secret, 'ctx').ciphertext;
    expect(a.equals(b)).toBe(false);
    expect(a.subarray(0, 12).equals(b.subarray(0, 12))).toBe(false);
  });

  it('refuses a ciphertext moved to another row (context is authenticated)', () => {
    const cipher = new TokenCipher([key()]);
    const sealed = cipher.encrypt(secret, 'user-1/slack');
    expect(() => cipher.decrypt(sealed, 'user-2/slack')).toThrow();
  });

  it('refuses a tampered ciphertext', () => {
    const cipher = new TokenCipher([key()]);
    const sealed = cipher.encrypt(secret, 'ctx');
    sealed.ciphertext[14] ^= 0xff;
    expect(() => cipher.decrypt(sealed, 'ctx')).toThrow();
  });

  it('decrypts with an older key after rotation and encrypts with the newest', () => {
    const oldKey = key();
    const sealedWithOld = new TokenCipher([oldKey]).encrypt(secret, 'ctx');
    const newKey = key();
    const rotated = new TokenCipher([newKey, oldKey]);
    expect(rotated.decrypt(sealedWithOld, 'ctx')).toBe(secret);
    expect(rotated.encrypt(secret, 'ctx').keyId).toBe(newKey.id);
  });

  it('names the missing key id when a key was removed', () => {
    const sealed = new TokenCipher([key()]).encrypt(secret, 'ctx');
    expect(() => new TokenCipher([key()]).decrypt(sealed, 'ctx')).toThrow(UnknownKeyError);
  });

  it('rejects keys that are not 32 bytes', () => {
    expect(() => new TokenCipher([{ id: 'short', key: randomBytes(16) }])).toThrow(/32 bytes/);
  });
});
