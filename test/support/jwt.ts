import jwt, { SignOptions } from 'jsonwebtoken';
import { E2E } from './test-env';

/** A JWT like an identity provider would issue, signed with the e2e secret unless told otherwise. */
export function mintJwt(subject: string, options: SignOptions & { claims?: Record<string, unknown>; secret?: string } = {}): string {
  const { claims = {}, secret = E2E.jwtSecret, ...signOptions } = options;
  return jwt.sign(claims, secret, { algorithm: 'HS256', subject, expiresIn: 600, ...signOptions });
}
