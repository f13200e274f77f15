import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import type { SealedSecret } from './sealed-secret';

export type WebhookScope = 'personal' | 'org';
export type WebhookState = 'active' | 'disabled';
export type WebhookDeliveryState = 'pending' | 'succeeded' | 'failed' | 'disabled';

export interface WebhookRow {
  id: string;
  userId: string;
  scope: WebhookScope;
  orgId: string | null;
  url: string;
  events: string[];
  description: string | null;
  state: WebhookState;
  disabledReason: string | null;
  disabledAt: Date | null;
  failingSince: Date | null;
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

/** The row with its sealed secrets: only the worker (signing) and rotation read these. */
export interface WebhookWithSecrets extends WebhookRow {
  secret: SealedSecret;
  previousSecret: SealedSecret | null;
}

export interface NewWebhook {
  id: string;
  userId: string;
  scope: WebhookScope;
  orgId: string | null;
  url: string;
  events: string[];
  description: string | null;
  secret: SealedSecret;
}

/** One try of one delivery, as listed to the owner. `status` is null when no HTTP answer came (`error` says why). */
export interface WebhookAttempt {
  at: string;
  status: number | null;
  error: string | null;
  durationMs: number;
}

export interface WebhookDeliveryRow {
  id: string;
  webhookId: string;
  eventType: string;
  payload: string;
  state: WebhookDeliveryState;
  attempts: WebhookAttempt[];
  nextAttemptAt: Date | null;
  replays: number;
  createdAt: Date;
  /** `created_at` to the microsecond, as Postgres writes it: the page cursor (a JS Date keeps milliseconds only). */
  createdAtExact: string;
  completedAt: Date | null;
}

/** An event to record, as `statusync_webhook_emit` takes it. */
export interface WebhookEventRecord {
  type: string;
  key: string;
  payload: string;
}

/**
 * The SELECT recording `events` (one `statusync_webhook_emit` each) and answering their deliveries, given the number of
 * its first parameter: for emitMany, and for a statement that records events together with the change they report
 * (SpansRepository.settleEdge, and settleEdgeWith as a step of StatusUpdatesRepository.record).
 */
export function webhookEmitSelect(events: WebhookEventRecord[]): { sql: (first: number) => string; parameters: string[] } {
  const sql = (first: number) =>
    events
      .map(
        (_, index) =>
          `SELECT delivery_id AS "deliveryId", webhook_id AS "webhookId", owner_id AS "ownerId", org_id AS "orgId", 0 AS replays FROM statusync_webhook_emit($${first + index * 3}, $${first + index * 3 + 1}, $${first + index * 3 + 2})`,
      )
      .join(' UNION ALL ');
  return { sql, parameters: events.flatMap((event) => [event.type, event.key, event.payload]) };
}

/** A delivery just recorded (or found overdue): enough to enqueue its job under the endpoint's scope. */
export interface WebhookDeliveryTarget {
  deliveryId: string;
  webhookId: string;
  ownerId: string;
  orgId: string | null;
  /** How often it was replayed: each replay is a new job (the finished one may still be kept). */
  replays: number;
}

export interface DeliveryCursor {
  createdAt: string;
  id: string;
}

const COLUMNS = `w.id, w.user_id AS "userId", w.scope, w.org_id AS "orgId", w.url, w.events, w.description, w.state,
  w.disabled_reason AS "disabledReason", w.disabled_at AS "disabledAt", w.failing_since AS "failingSince",
  w.previous_secret_expires_at AS "previousSecretExpiresAt", w.created_at AS "createdAt", w.updated_at AS "updatedAt"`;
const SECRET_COLUMNS = `w.secret_ciphertext AS "secretCiphertext", w.secret_key_id AS "secretKeyId",
  w.previous_secret_ciphertext AS "previousCiphertext", w.previous_secret_key_id AS "previousKeyId"`;
const DELIVERY_COLUMNS = `d.id, d.webhook_id AS "webhookId", d.event_type AS "eventType", d.payload, d.state, d.attempts,
  d.next_attempt_at AS "nextAttemptAt", d.replays, d.created_at AS "createdAt", d.completed_at AS "completedAt",
  d.created_at::text AS "createdAtExact"`;

/** TypeORM answers UPDATE/DELETE … RETURNING with [rows, count], INSERT/SELECT with rows. */
const returned = (result: unknown): unknown[] => (Array.isArray(result) && Array.isArray(result[0]) ? result[0] : (result as unknown[]));

interface SecretColumns {
  secretCiphertext: Buffer;
  secretKeyId: string;
  previousCiphertext: Buffer | null;
  previousKeyId: string | null;
}

function withSecrets(row: WebhookRow & SecretColumns): WebhookWithSecrets {
  const { secretCiphertext, secretKeyId, previousCiphertext, previousKeyId, ...rest } = row;
  return {
    ...rest,
    secret: { ciphertext: secretCiphertext, keyId: secretKeyId },
    previousSecret: previousCiphertext && previousKeyId ? { ciphertext: previousCiphertext, keyId: previousKeyId } : null,
  };
}

/**
 * Webhook endpoints and their deliveries. Every method but `overdue` and `purgeBatch` takes the user-scoped
 * transaction it runs in: row-level security keeps it to the caller's personal endpoints and, for an org admin,
 * their org's.
 */
@Injectable()
export class WebhooksRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(db: EntityManager, hook: NewWebhook): Promise<WebhookRow> {
    const [row] = await db.query(
      `INSERT INTO webhooks AS w (id, user_id, scope, org_id, url, events, description, secret_ciphertext, secret_key_id)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) RETURNING ${COLUMNS}`,
      [hook.id, hook.userId, hook.scope, hook.orgId, hook.url, hook.events, hook.description, hook.secret.ciphertext, hook.secret.keyId],
    );
    return row as WebhookRow;
  }

  async list(db: EntityManager): Promise<WebhookRow[]> {
    return (await db.query(`SELECT ${COLUMNS} FROM webhooks w ORDER BY w.created_at, w.id`)) as WebhookRow[];
  }

  async find(db: EntityManager, id: string): Promise<WebhookRow | null> {
    const [row] = await db.query(`SELECT ${COLUMNS} FROM webhooks w WHERE w.id = $1`, [id]);
    return (row as WebhookRow | undefined) ?? null;
  }

  async findWithSecrets(db: EntityManager, id: string, lock = false): Promise<WebhookWithSecrets | null> {
    const [row] = await db.query(`SELECT ${COLUMNS}, ${SECRET_COLUMNS} FROM webhooks w WHERE w.id = $1 ${lock ? 'FOR UPDATE' : ''}`, [id]);
    return row ? withSecrets(row as WebhookRow & SecretColumns) : null;
  }

  /** Changes url/events; `enabled: true` re-activates a disabled endpoint and forgets its failure streak. */
  async update(db: EntityManager, id: string, change: { url?: string; events?: string[]; description?: string | null; enabled?: boolean }): Promise<WebhookRow | null> {
    const [row] = returned(
      await db.query(
        `UPDATE webhooks w SET url = COALESCE($2, url), events = COALESCE($3, events),
           description = CASE WHEN $4::boolean THEN $5 ELSE description END,
           state = CASE WHEN $6::boolean IS NULL THEN state WHEN $6 THEN 'active' ELSE 'disabled' END,
           disabled_reason = CASE WHEN $6::boolean IS NULL THEN disabled_reason WHEN $6 THEN NULL ELSE 'disabled by its owner' END,
           disabled_at = CASE WHEN $6::boolean IS NULL THEN disabled_at WHEN $6 THEN NULL ELSE COALESCE(disabled_at, now()) END,
           failing_since = CASE WHEN $6::boolean IS TRUE THEN NULL ELSE failing_since END,
           updated_at = now()
         WHERE w.id = $1 RETURNING ${COLUMNS}`,
        [id, change.url ?? null, change.events ?? null, change.description !== undefined, change.description ?? null, change.enabled ?? null],
      ),
    );
    return (row as WebhookRow | undefined) ?? null;
  }

  async remove(db: EntityManager, id: string): Promise<boolean> {
    return returned(await db.query(`DELETE FROM webhooks WHERE id = $1 RETURNING id`, [id])).length > 0;
  }

  /** The new secret signs from now on; the previous one keeps signing beside it until `previousExpiresAt`. */
  async rotate(db: EntityManager, id: string, secret: SealedSecret, previous: SealedSecret, previousExpiresAt: Date): Promise<WebhookRow | null> {
    const [row] = returned(
      await db.query(
        `UPDATE webhooks w SET secret_ciphertext = $2, secret_key_id = $3, previous_secret_ciphertext = $4, previous_secret_key_id = $5,
           previous_secret_expires_at = $6, updated_at = now() WHERE w.id = $1 RETURNING ${COLUMNS}`,
        [id, secret.ciphertext, secret.keyId, previous.ciphertext, previous.keyId, previousExpiresAt],
      ),
    );
    return (row as WebhookRow | undefined) ?? null;
  }

  /**
   * Records one delivery per subscribed active endpoint (the scoped user's personal ones and their org's) for each
   * event, in one statement; an event key already recorded for an endpoint records nothing new.
   */
  async emitMany(db: EntityManager, events: WebhookEventRecord[]): Promise<WebhookDeliveryTarget[]> {
    if (events.length === 0) return [];
    const { sql, parameters } = webhookEmitSelect(events);
    return (await db.query(sql(1), parameters)) as WebhookDeliveryTarget[];
  }

  /** A delivery to one endpoint only (the test ping), whatever it subscribes to. */
  async recordFor(db: EntityManager, hook: WebhookRow, type: string, key: string, payload: string): Promise<WebhookDeliveryTarget> {
    const [row] = (await db.query(
      `INSERT INTO webhook_deliveries (webhook_id, event_type, event_key, payload, next_attempt_at) VALUES ($1, $2, $3, $4, now()) RETURNING id`,
      [hook.id, type, key, payload],
    )) as { id: string }[];
    return { deliveryId: row.id, webhookId: hook.id, ownerId: hook.userId, orgId: hook.orgId, replays: 0 };
  }

  /** One page, newest first, keyset on (created_at, id). */
  async deliveries(db: EntityManager, webhookId: string, after: DeliveryCursor | null, limit: number): Promise<WebhookDeliveryRow[]> {
    return (await db.query(
      `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE d.webhook_id = $1
         AND ($2::timestamptz IS NULL OR (d.created_at, d.id) < ($2::timestamptz, $3::uuid))
       ORDER BY d.created_at DESC, d.id DESC LIMIT $4`,
      [webhookId, after?.createdAt ?? null, after?.id ?? null, limit],
    )) as WebhookDeliveryRow[];
  }

  async findDelivery(db: EntityManager, webhookId: string, deliveryId: string, lock = false): Promise<WebhookDeliveryRow | null> {
    const [row] = await db.query(`SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d WHERE d.id = $1 AND d.webhook_id = $2 ${lock ? 'FOR UPDATE' : ''}`, [
      deliveryId,
      webhookId,
    ]);
    return (row as WebhookDeliveryRow | undefined) ?? null;
  }

  /** Sends a delivery again (same webhook-id, so receivers can de-duplicate): pending now, its attempts kept. */
  async replay(db: EntityManager, deliveryId: string): Promise<WebhookDeliveryRow | null> {
    const [row] = returned(
      await db.query(
        `UPDATE webhook_deliveries d SET state = 'pending', next_attempt_at = now(), completed_at = NULL, replays = replays + 1
         WHERE d.id = $1 RETURNING ${DELIVERY_COLUMNS}`,
        [deliveryId],
      ),
    );
    return (row as WebhookDeliveryRow | undefined) ?? null;
  }

  /** Appends an attempt and moves the delivery on: still pending (with its next try) or final. */
  async recordAttempt(db: EntityManager, deliveryId: string, attempt: WebhookAttempt, state: WebhookDeliveryState, nextAttemptAt: Date | null): Promise<void> {
    await db.query(
      `UPDATE webhook_deliveries SET attempts = attempts || $2::jsonb, state = $3, next_attempt_at = $4,
         completed_at = CASE WHEN $3 = 'pending' THEN NULL ELSE now() END WHERE id = $1`,
      [deliveryId, JSON.stringify([attempt]), state, nextAttemptAt],
    );
  }

  /** A success ends the endpoint's failure streak; a failure starts one (if none). Returns when the streak began. */
  async markHealth(db: EntityManager, webhookId: string, healthy: boolean): Promise<Date | null> {
    const [row] = returned(
      await db.query(
        `UPDATE webhooks SET failing_since = CASE WHEN $2 THEN NULL ELSE COALESCE(failing_since, now()) END WHERE id = $1 RETURNING failing_since AS "failingSince"`,
        [webhookId, healthy],
      ),
    ) as { failingSince: Date | null }[];
    return row?.failingSince ?? null;
  }

  /** Disables the endpoint; its pending deliveries end as `disabled` (final: re-enabling does not resend them). */
  async disable(db: EntityManager, webhookId: string, reason: string): Promise<void> {
    await db.query(`UPDATE webhooks SET state = 'disabled', disabled_reason = $2, disabled_at = now(), updated_at = now() WHERE id = $1`, [webhookId, reason]);
    await this.endPending(db, webhookId);
  }

  /** Ends a disabled endpoint's pending deliveries as `disabled` (one recorded just before it was disabled, say). */
  async endPending(db: EntityManager, webhookId: string): Promise<void> {
    await db.query(`UPDATE webhook_deliveries SET state = 'disabled', next_attempt_at = NULL, completed_at = now() WHERE webhook_id = $1 AND state = 'pending'`, [
      webhookId,
    ]);
  }

  /** Pending deliveries overdue by `overdueMs` across users (ids only), for the re-enqueue sweep. */
  async overdue(overdueMs: number, limit: number): Promise<WebhookDeliveryTarget[]> {
    return (await this.dataSource.query(
      `SELECT delivery_id AS "deliveryId", webhook_id AS "webhookId", owner_id AS "ownerId", org_id AS "orgId", replays FROM statusync_webhook_due($1, $2)`,
      [overdueMs, limit],
    )) as WebhookDeliveryTarget[];
  }

  /** Deletes one batch of final deliveries older than the retention; returns how many went. */
  async purgeBatch(retentionDays: number, batchSize: number): Promise<number> {
    const [row] = (await this.dataSource.query(`SELECT statusync_purge_webhook_deliveries($1, $2) AS deleted`, [retentionDays, batchSize])) as { deleted: number }[];
    return row.deleted;
  }
}
