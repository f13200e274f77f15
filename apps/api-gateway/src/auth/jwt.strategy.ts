import { createSecretKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { APP_CONFIG, AppConfig } from '@statusync/core';
import { UsersRepository } from '@statusync/db';
import type { Algorithm } from 'jsonwebtoken';
import { passportJwtSecret } from 'jwks-rsa';
import { ExtractJwt, Strategy, StrategyOptionsWithRequest } from 'passport-jwt';
import { AuthUser, Role } from './auth-user';
import { UserIdCache } from './user-id-cache';

/** Leeway for clocks that disagree a little between us and the identity provider. */
const CLOCK_TOLERANCE_SECONDS = 30;
const MAX_SUBJECT_LENGTH = 255;
/**
 * Text Postgres stores as sent: no NUL (a text value cannot hold it, so the user lookup failed with a 500) and no
 * unpaired UTF-16 surrogate (stored as U+FFFD, which would make different subjects one user).
 */
const STORABLE_TEXT = /^(?:[^\u0000\ud800-\udfff]|[\ud800-\udbff][\udc00-\udfff])*$/;

/**
 * jwks-rsa caches each signing key by `kid` for 10 minutes and fetches the JWKS again when a token names a kid
 * it has not seen, so a key the identity provider rotates in works at once. Those fetches are rate-limited, so
 * tokens with made-up kids cannot make us hammer the provider (they fail as unknown keys meanwhile), and a slow
 * provider fails after 5 s instead of holding requests for jwks-rsa's default 30 s.
 */
const JWKS_OPTIONS = { cache: true, cacheMaxAge: 10 * 60_000, rateLimit: true, jwksRequestsPerMinute: 10, timeout: 5_000 };

interface Claims {
  sub?: unknown;
  exp?: unknown;
  org_id?: unknown;
  role?: unknown;
  email?: unknown;
}

/** Thrown from validate(); its message becomes the 401's detail. */
export class InvalidClaimsError extends Error {}

type KeyCallback = (error: Error | null, key?: string | Buffer) => void;

/**
 * Bearer JWTs. HS256 with JWT_SECRET and/or RS256 from JWT_JWKS_URL: the key is chosen by the token's `alg`
 * and each algorithm only ever gets its own kind of key, so `alg: none` and HS/RS confusion cannot pass.
 */
@Injectable()
export class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
  private readonly userIds = new UserIdCache();

  constructor(
    @Inject(APP_CONFIG) config: AppConfig,
    private readonly users: UsersRepository,
  ) {
    const { secret, jwksUrl, issuer, audience } = config.jwt;
    const jwks = jwksUrl
      ? passportJwtSecret({ jwksUri: jwksUrl, ...JWKS_OPTIONS })
      : undefined;
    const algorithms: Algorithm[] = [...(secret ? (['HS256'] as const) : []), ...(jwks ? (['RS256'] as const) : [])];
    // A KeyObject, not the string: given a string, jsonwebtoken first tries to parse it as a public key on every
    // verification, which cost a quarter of the gateway's CPU under load.
    const hmacKey = secret ? createSecretKey(Buffer.from(secret, 'utf8')) : undefined;
    const options: StrategyOptionsWithRequest = {
      jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
      algorithms,
      issuer,
      audience,
      ignoreExpiration: false,
      jsonWebTokenOptions: { clockTolerance: CLOCK_TOLERANCE_SECONDS },
      passReqToCallback: true,
      secretOrKeyProvider: (request: unknown, rawJwt: string, done: KeyCallback) => {
        const alg = headerAlg(rawJwt);
        // No readable header means it is not a JWT at all: say so rather than blame an algorithm.
        if (alg === undefined) return done(new Error('jwt malformed'));
        // passport-jwt's typings predate KeyObject; it hands the key to jsonwebtoken 9 as is, which accepts it.
        if (alg === 'HS256' && hmacKey) return done(null, hmacKey as unknown as Buffer);
        if (alg === 'RS256' && jwks) return jwks(request as never, rawJwt, done as never);
        return done(new Error(`signing algorithm ${alg} is not accepted`));
      },
    };
    super(options);
  }

  async validate(_request: unknown, claims: Claims): Promise<AuthUser> {
    if (typeof claims.exp !== 'number') throw new InvalidClaimsError('token has no exp claim');
    if (typeof claims.sub !== 'string' || claims.sub.length === 0 || claims.sub.length > MAX_SUBJECT_LENGTH) {
      throw new InvalidClaimsError(`token sub must be a string of 1-${MAX_SUBJECT_LENGTH} characters`);
    }
    if (!STORABLE_TEXT.test(claims.sub)) throw new InvalidClaimsError('token sub must not contain NUL or unpaired surrogates');
    if (claims.org_id !== undefined && typeof claims.org_id !== 'string') throw new InvalidClaimsError('token org_id must be a string');
    if (claims.org_id !== undefined && !STORABLE_TEXT.test(claims.org_id)) throw new InvalidClaimsError('token org_id must not contain NUL or unpaired surrogates');
    if (claims.role !== undefined && claims.role !== 'member' && claims.role !== 'admin') {
      throw new InvalidClaimsError("token role must be 'member' or 'admin'");
    }
    const orgId = (claims.org_id as string | undefined) ?? null;
    const cacheKey = `${claims.sub}\u0000${orgId ?? ''}`;
    let id = this.userIds.get(cacheKey);
    if (!id) {
      id = await this.users.idForSubject(claims.sub, orgId);
      this.userIds.set(cacheKey, id);
    }
    return { id, subject: claims.sub, orgId, role: (claims.role as Role | undefined) ?? 'member', email: emailClaim(claims.email) };
  }
}

/** An unusable `email` claim is not an error (it only serves as a default): it is simply not used. */
function emailClaim(value: unknown): string | null {
  return typeof value === 'string' && value.length <= 320 && /^[^\s@]+@[^\s@]+$/.test(value) ? value : null;
}

function headerAlg(rawJwt: string): string | undefined {
  try {
    const header = JSON.parse(Buffer.from(rawJwt.split('.')[0], 'base64url').toString('utf8')) as { alg?: unknown };
    return typeof header.alg === 'string' ? header.alg : undefined;
  } catch {
    return undefined;
  }
}
