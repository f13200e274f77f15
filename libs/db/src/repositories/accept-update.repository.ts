import { Injectable } from '@nestjs/common';
import { StatusUpdateEntity } from '../entities/status-update.entity';
import { OneStatement, OrgMembership } from '../user-scope';
import { IDEMPOTENCY_WINDOW_HOURS, NewStatusUpdate, StatusUpdateRow, toStatusUpdate } from './status-updates.repository';

/** What recording a request came to; the gateway turns the refusals into problem answers. */
export type AcceptOutcome =
  | { outcome: 'accepted'; update: StatusUpdateEntity; audience: { subject: string; teamIds: string[] } | null }
  | { outcome: 'replay'; update: StatusUpdateEntity }
  | { outcome: 'in-progress' }
  | { outcome: 'no-platform' }
  | { outcome: 'not-configured'; missing: string[] };

/** The row as to_jsonb writes it: timestamps as text, seq as a number. */
export type StatusUpdateJson = Omit<StatusUpdateRow, 'seq' | 'created_at' | 'expires_at'> & { seq: number; created_at: string; expires_at: string | null };

export const statusUpdateFromJson = (row: StatusUpdateJson): StatusUpdateEntity =>
  toStatusUpdate({ ...row, seq: String(row.seq), created_at: new Date(row.created_at), expires_at: row.expires_at ? new Date(row.expires_at) : null });

/**
 * The gateway's accept path in ONE round trip (statusync_accept_update, migration 1764000009000): scope, key
 * check, configured platforms, the update with its pending deliveries and the live audience. Run it through
 * UserScope.selfScoped: the function scopes itself to `userId` and row-level security applies to the caller's role.
 */
@Injectable()
export class AcceptUpdateRepository {
  async accept(db: OneStatement, input: Omit<NewStatusUpdate, 'platforms'> & { requested: string[] | null }, org: OrgMembership): Promise<AcceptOutcome> {
    const update = {
      kind: input.kind,
      preset: input.preset,
      emoji: input.emoji,
      message: input.message,
      limited_availability: input.limitedAvailability,
      expires_at: input.expiresAt,
      idempotency_key: input.idempotencyKey,
      request_fingerprint: input.requestFingerprint,
      request_id: input.requestId,
      source: input.source ?? (input.preset ? 'preset' : 'manual'),
      template_id: input.templateId ?? null,
      template_name: input.templateName ?? null,
      platform_overrides: input.platformOverrides ?? null,
    };
    const [{ result }] = (await db.query(`SELECT statusync_accept_update($1, $2, $3, $4, $5, $6) AS result`, [
      input.userId,
      org.orgId,
      org.role,
      JSON.stringify(update),
      input.requested,
      IDEMPOTENCY_WINDOW_HOURS,
    ])) as { result: { outcome: AcceptOutcome['outcome']; update?: StatusUpdateJson; audience?: { subject: string; teamIds: string[] } | null; missing?: string[] } }[];
    switch (result.outcome) {
      case 'accepted':
        return { outcome: 'accepted', update: statusUpdateFromJson(result.update!), audience: result.audience ?? null };
      case 'replay':
        return { outcome: 'replay', update: statusUpdateFromJson(result.update!) };
      case 'not-configured':
        return { outcome: 'not-configured', missing: result.missing ?? [] };
      default:
        return { outcome: result.outcome };
    }
  }
}
