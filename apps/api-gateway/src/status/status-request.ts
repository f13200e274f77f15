import { StatusUpdateKind } from '@statusync/db';
import { PlatformId } from '@statusync/platforms';

/** A status change as the API understood it, whatever endpoint it came through. */
export interface StatusRequest {
  kind: StatusUpdateKind;
  preset: string | null;
  emoji: string | null;
  message: string | null;
  limitedAvailability: boolean;
  expiresAt: Date | null;
  /** Requested platforms; undefined = every configured platform. */
  platforms?: PlatformId[];
}

/** The caller's context that travels with the request into the database and the jobs. */
export interface RequestContext {
  userId: string;
  requestId: string | null;
  idempotencyKey: string | null;
  /** Route + body as received, hashed to tell an Idempotency-Key replay from a reuse. */
  fingerprintSource: unknown;
}
