import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

/** Security events worth keeping (docs/security.md). Names are stable: operators alert on them. */
export type AuditEvent =
  | 'platform.connected'
  | 'platform.disconnected'
  | 'platform.reauth_required'
  | 'oauth.connected'
  | 'oauth.refresh_failed'
  | 'calendar.connected'
  | 'keys.rotated'
  | 'webhook.created'
  | 'webhook.deleted'
  | 'webhook.secret_rotated'
  | 'webhook.disabled';

export interface AuditEntry {
  /** null for system events (key rotation). */
  userId: string | null;
  event: AuditEvent;
  details?: Record<string, unknown>;
  requestId?: string | null;
}

/** Appends to `audit_events`, in the caller's transaction so the event and the change commit together. Never a secret in `details`. */
@Injectable()
export class AuditRepository {
  async record(db: EntityManager, entry: AuditEntry): Promise<void> {
    await db.query(`INSERT INTO audit_events (user_id, event, details, request_id) VALUES ($1, $2, $3, $4)`, [
      entry.userId,
      entry.event,
      JSON.stringify(entry.details ?? {}),
      entry.requestId ?? null,
    ]);
  }
}
