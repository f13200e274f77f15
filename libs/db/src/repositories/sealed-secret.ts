/** A secret as stored: TokenCipher's ciphertext and the id of the key that sealed it. */
export interface SealedSecret {
  ciphertext: Buffer;
  keyId: string;
}
