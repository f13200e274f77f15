import { PlatformOverrides, StatusUpdateKind, StatusUpdateSource } from '@statusync/db';
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
  /** Default `manual` (`preset` with a preset). */
  source?: StatusUpdateSource;
  /** The template it came from, as it was at that moment. */
  template?: { id: string; name: string };
  /** Per-platform emoji and/or message replacing the update's. */
  platformOverrides?: PlatformOverrides | null;
}

/** The caller's context that travels with the request into the database and the jobs. */
export interface RequestContext {
  userId: string;
  requestId: string | null;
  idempotencyKey: string | null;
  /** Route + body as received, hashed to tell an Idempotency-Key replay from a reuse. */
  fingerprintSource: unknown;
}
