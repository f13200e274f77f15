import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig, checkFetchableUrl, parseFetchableUrl, ProblemException, TokenCipher, UnsafeUrlError } from '@statusync/core';
import { AuditRepository, DeliveryCursor, UserScope, WebhookDeliveryRow, WebhookRow, WebhooksRepository } from '@statusync/db';
import { generateWebhookSecret, openWebhookSecret, sealWebhookSecret, WEBHOOK_TEST_EVENT, webhookPayload, WebhookProducer } from '@statusync/queue';
import { EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { CreateWebhookDto, DeliveriesQueryDto, UpdateWebhookDto } from './webhooks.dto';
import { WebhookDeliveryPageView, WebhookDeliveryQueuedView, WebhookDeliveryView, WebhookView, WebhookWithSecretView } from './webhooks.views';

/** How long the previous secret keeps signing after a rotation (the receiver's window to switch). */
const ROTATION_OVERLAP_MS = 24 * 3600_000;

const invalid = (field: string, reason: string) =>
  new ProblemException(400, 'validation', 'Invalid request', 'One or more fields are invalid.', [{ field, reason }]);
const notFound = () => new ProblemException(404, 'not-found', 'Not Found', 'webhook not found');
const iso = (date: Date | null) => (date ? date.toISOString() : null);

const encodeCursor = (row: WebhookDeliveryRow) => Buffer.from(`${row.createdAtExact}|${row.id}`, 'utf8').toString('base64url');
function decodeCursor(cursor: string): DeliveryCursor | null {
  const [createdAt, id, extra] = Buffer.from(cursor, 'base64url').toString('utf8').split('|');
  const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
  return extra === undefined && isPostgresTimestamp(createdAt ?? '') && uuid.test(id ?? '') ? { createdAt, id } : null;
}

/** A real instant as Postgres writes timestamptz (`2026-12-01 10:00:00.123456+00`): a forged one must be a 400, not a cast error. */
function isPostgresTimestamp(text: string): boolean {
  const match = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?[+-](\d{2})(:\d{2})?$/.exec(text);
  if (!match) return false;
  const [year, month, day, hour, minute, second, , offset] = [1, 2, 3, 4, 5, 6, 7, 8].map((index) => Number(match[index]));
  const date = new Date(Date.UTC(year, month - 1, day));
  return year >= 1 && date.getUTCMonth() === month - 1 && date.getUTCDate() === day && hour < 24 && minute < 60 && second < 60 && offset <= 15;
}

export function webhookView(row: WebhookRow): WebhookView {
  return {
    id: row.id,
    url: row.url,
    events: row.events,
    scope: row.scope,
    description: row.description,
    state: row.state,
    disabledReason: row.disabledReason,
    disabledAt: iso(row.disabledAt),
    failingSince: iso(row.failingSince),
    previousSecretExpiresAt: row.previousSecretExpiresAt && row.previousSecretExpiresAt.getTime() > Date.now() ? row.previousSecretExpiresAt.toISOString() : null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

function deliveryView(row: WebhookDeliveryRow): WebhookDeliveryView {
  return {
    id: row.id,
    eventType: row.eventType,
    state: row.state,
    attempts: row.attempts,
    nextAttemptAt: row.state === 'pending' ? iso(row.nextAttemptAt) : null,
    replays: row.replays,
    createdAt: row.createdAt.toISOString(),
    completedAt: iso(row.completedAt),
  };
}

/**
 * Webhook endpoints under the caller's row-level-security scope: personal endpoints are their owner's, org
 * endpoints their org admins'. Secrets are generated here, sealed at once, and shown in the create and rotate
 * answers only.
 */
@Injectable()
export class WebhooksService {
  private readonly cipher: TokenCipher;

  constructor(
    private readonly scope: UserScope,
    private readonly webhooks: WebhooksRepository,
    private readonly audit: AuditRepository,
    private readonly producer: WebhookProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.cipher = new TokenCipher(config.tokenEncryptionKeys);
  }

  private run<T>(user: AuthUser, work: (db: EntityManager) => Promise<T>): Promise<T> {
    return this.scope.run(user.id, work, { orgId: user.orgId, role: user.role });
  }

  async create(user: AuthUser, dto: CreateWebhookDto, requestId: string | null): Promise<WebhookWithSecretView> {
    const scope = dto.scope ?? 'personal';
    if (scope === 'org' && !user.orgId) throw invalid('scope', 'org webhooks need an organisation: your token has no org_id');
    if (scope === 'org' && user.role !== 'admin') throw new ProblemException(403, 'forbidden', 'Forbidden', "Only the org's admins can create org webhooks", [{ field: 'scope', reason: 'org webhooks are for org admins' }]);
    const url = await this.checkUrl(dto.url);
    const id = randomUUID();
    const secret = generateWebhookSecret();
    const row = await this.run(user, async (db) => {
      const created = await this.webhooks.create(db, {
        id,
        userId: user.id,
        scope,
        orgId: scope === 'org' ? user.orgId : null,
        url,
        events: dto.events,
        description: dto.description ?? null,
        secret: sealWebhookSecret(this.cipher, user.id, id, 'current', secret),
      });
      await this.audit.record(db, { userId: user.id, event: 'webhook.created', details: { webhookId: id, scope, events: dto.events }, requestId });
      return created;
    });
    return { ...webhookView(row), secret };
  }

  async list(user: AuthUser): Promise<WebhookView[]> {
    return (await this.run(user, (db) => this.webhooks.list(db))).map(webhookView);
  }

  async get(user: AuthUser, id: string): Promise<WebhookView> {
    const row = await this.run(user, (db) => this.webhooks.find(db, id));
    if (!row) throw notFound();
    return webhookView(row);
  }

  async update(user: AuthUser, id: string, dto: UpdateWebhookDto): Promise<WebhookView> {
    const url = dto.url === undefined ? undefined : await this.checkUrl(dto.url);
    const row = await this.run(user, (db) => this.webhooks.update(db, id, { url, events: dto.events, description: dto.description, enabled: dto.enabled }));
    if (!row) throw notFound();
    return webhookView(row);
  }

  async remove(user: AuthUser, id: string, requestId: string | null): Promise<void> {
    const removed = await this.run(user, async (db) => {
      const gone = await this.webhooks.remove(db, id);
      if (gone) await this.audit.record(db, { userId: user.id, event: 'webhook.deleted', details: { webhookId: id }, requestId });
      return gone;
    });
    if (!removed) throw notFound();
  }

  /** A new secret, shown once; the old one keeps signing beside it for 24 hours (two signatures per request). */
  async rotateSecret(user: AuthUser, id: string, requestId: string | null): Promise<WebhookWithSecretView> {
    const secret = generateWebhookSecret();
    const row = await this.run(user, async (db) => {
      const hook = await this.webhooks.findWithSecrets(db, id, true);
      if (!hook) return null;
      const current = openWebhookSecret(this.cipher, hook.userId, hook.id, 'current', hook.secret);
      const rotated = await this.webhooks.rotate(
        db,
        id,
        sealWebhookSecret(this.cipher, hook.userId, hook.id, 'current', secret),
        sealWebhookSecret(this.cipher, hook.userId, hook.id, 'previous', current),
        new Date(Date.now() + ROTATION_OVERLAP_MS),
      );
      await this.audit.record(db, { userId: user.id, event: 'webhook.secret_rotated', details: { webhookId: id }, requestId });
      return rotated;
    });
    if (!row) throw notFound();
    return { ...webhookView(row), secret };
  }

  async deliveries(user: AuthUser, id: string, query: DeliveriesQueryDto): Promise<WebhookDeliveryPageView> {
    const limit = query.limit ?? 20;
    const after = query.cursor ? decodeCursor(query.cursor) : null;
    if (query.cursor && !after) throw invalid('cursor', 'cursor is not a cursor this API issued');
    const rows = await this.run(user, async (db) => ((await this.webhooks.find(db, id)) ? this.webhooks.deliveries(db, id, after, limit + 1) : null));
    if (!rows) throw notFound();
    const page = rows.slice(0, limit);
    return { items: page.map(deliveryView), nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1]) : null };
  }

  /** Sends a finished delivery again with the same `webhook-id` (receivers de-duplicate on it). */
  async replay(user: AuthUser, id: string, deliveryId: string): Promise<WebhookDeliveryQueuedView> {
    const target = await this.run(user, async (db) => {
      const hook = await this.webhooks.find(db, id);
      const delivery = hook ? await this.webhooks.findDelivery(db, id, deliveryId, true) : null;
      if (!hook || !delivery) throw new ProblemException(404, 'not-found', 'Not Found', 'delivery not found');
      if (hook.state === 'disabled') throw new ProblemException(409, 'webhook-disabled', 'Webhook disabled', 'Enable the webhook (PATCH enabled: true) before replaying', [{ field: 'id', reason: 'the webhook is disabled' }]);
      if (delivery.state === 'pending') throw new ProblemException(409, 'delivery-pending', 'Delivery pending', 'The delivery is still being attempted', [{ field: 'deliveryId', reason: 'still pending' }]);
      const replayed = (await this.webhooks.replay(db, deliveryId))!;
      return { deliveryId, webhookId: id, ownerId: hook.userId, orgId: hook.orgId, replays: replayed.replays };
    });
    await this.producer.enqueue([target]);
    return { deliveryId };
  }

  /** A `webhook.test` ping to this endpoint only. */
  async test(user: AuthUser, id: string): Promise<WebhookDeliveryQueuedView> {
    const target = await this.run(user, async (db) => {
      const hook = await this.webhooks.find(db, id);
      if (!hook) throw notFound();
      if (hook.state === 'disabled') throw new ProblemException(409, 'webhook-disabled', 'Webhook disabled', 'Enable the webhook (PATCH enabled: true) before testing it', [{ field: 'id', reason: 'the webhook is disabled' }]);
      return this.webhooks.recordFor(db, hook, WEBHOOK_TEST_EVENT, `${WEBHOOK_TEST_EVENT}.${randomUUID()}`, webhookPayload(WEBHOOK_TEST_EVENT, { webhookId: id }));
    });
    await this.producer.enqueue([target]);
    return { deliveryId: target.deliveryId };
  }

  /** https only in production unless ALLOW_PRIVATE_URLS; never an address inside our network (checked again at delivery). */
  private async checkUrl(value: string): Promise<string> {
    try {
      const httpAllowed = this.config.env !== 'production' || this.config.allowPrivateUrls;
      if (!httpAllowed && parseFetchableUrl(value, false).protocol !== 'https:') throw new UnsafeUrlError('must be an https URL');
      return (await checkFetchableUrl(value, this.config.allowPrivateUrls)).toString();
    } catch (error) {
      if (error instanceof UnsafeUrlError) throw invalid('url', error.reason);
      throw error;
    }
  }
}
