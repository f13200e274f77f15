import { Inject, Injectable, Logger } from '@nestjs/common';
import {
  APP_CONFIG,
  AppConfig,
  FetchFailedError,
  ResponseTooLargeError,
  safeFetch,
  TokenCipher,
  UnsafeUrlError,
  webhookDeliveries,
  webhookDeliveryDuration,
} from '@statusync/core';
import { AuditRepository, OrgMembership, UserScope, WebhookAttempt, WebhookDeliveryRow, WebhooksRepository, WebhookWithSecrets } from '@statusync/db';
import { DeliverWebhookJob, openWebhookSecret } from '@statusync/queue';
import { Job, UnrecoverableError } from 'bullmq';
import { EntityManager } from 'typeorm';
import { signedHeaders } from './webhook-signer';
import { decideWebhookAttempt, parseRetryAfter, WebhookAnswer, webhookResultLabel } from './webhook-retry-policy';

/** What a receiver may answer with; more is not read (we only need the status). */
const MAX_ANSWER_BYTES = 64 * 1024;

/** Thrown to have BullMQ run the job again after `delayMs` (read by the worker's backoff strategy). */
export class WebhookRetryLater extends Error {
  constructor(readonly delayMs: number) {
    super(`webhook delivery retried in ${delayMs} ms`);
    this.name = 'WebhookRetryLater';
  }
}

export type WebhookJobOutcome = 'succeeded' | 'failed' | 'disabled' | 'skipped';

/**
 * Sends one webhook delivery attempt (docs/decisions.md §32): read the delivery and its endpoint in the endpoint's
 * scope, sign with the current secret (and the previous one during a rotation), POST without following redirects
 * through the SSRF guard (the address connected is the one checked), then record the attempt and decide: done,
 * retry later (the delay stored on the row is the one BullMQ waits), failed after the schedule, or the endpoint
 * disabled (410, or failing for WEBHOOK_DISABLE_AFTER_MS). The secret and the URL never reach a log line.
 */
@Injectable()
export class WebhookDeliveryProcessor {
  private readonly logger = new Logger(WebhookDeliveryProcessor.name);
  private readonly cipher: TokenCipher;

  constructor(
    private readonly scope: UserScope,
    private readonly webhooks: WebhooksRepository,
    private readonly audit: AuditRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.cipher = new TokenCipher(config.tokenEncryptionKeys);
  }

  async process(job: Job<DeliverWebhookJob>): Promise<WebhookJobOutcome> {
    const target = parseJob(job.data);
    const attempt = job.attemptsMade + 1;
    const context = { deliveryId: target.deliveryId, webhookId: target.webhookId, attempt };
    const loaded = await this.inScope(target, async (db) => {
      const delivery = await this.webhooks.findDelivery(db, target.webhookId, target.deliveryId);
      const hook = delivery ? await this.webhooks.findWithSecrets(db, target.webhookId) : null;
      if (delivery && hook && hook.state === 'disabled' && delivery.state === 'pending') await this.webhooks.endPending(db, hook.id);
      return { delivery, hook };
    });
    const { delivery, hook } = loaded;
    if (!delivery || !hook || delivery.state !== 'pending') return 'skipped';
    if (hook.state === 'disabled') return 'disabled';

    const startedAt = Date.now();
    const answer = await this.send(hook, delivery);
    const durationMs = Date.now() - startedAt;
    const result = webhookResultLabel(answer);
    webhookDeliveries.inc({ event: delivery.eventType, result });
    webhookDeliveryDuration.observe({ result }, durationMs / 1000);

    const decision = decideWebhookAttempt(answer, attempt, this.config.webhooks.retryScheduleMs);
    const record: WebhookAttempt = {
      at: new Date(startedAt).toISOString(),
      status: answer.kind === 'http' ? answer.status : null,
      error: answer.kind === 'network' ? answer.reason : answer.status >= 300 && answer.status < 400 ? 'redirect not followed' : null,
      durationMs,
    };
    const outcome = await this.inScope(target, (db) => this.settle(db, hook, delivery, record, decision));
    this.logger.log({ ...context, event: delivery.eventType, result, status: record.status, outcome: outcome.kind }, 'webhook attempt');
    if (outcome.kind === 'retry') throw new WebhookRetryLater(outcome.delayMs);
    return outcome.kind;
  }

  private async settle(
    db: EntityManager,
    hook: WebhookWithSecrets,
    delivery: WebhookDeliveryRow,
    attempt: WebhookAttempt,
    decision: ReturnType<typeof decideWebhookAttempt>,
  ): Promise<{ kind: 'succeeded' | 'failed' | 'disabled' } | { kind: 'retry'; delayMs: number }> {
    if (decision.kind === 'succeeded') {
      await this.webhooks.recordAttempt(db, delivery.id, attempt, 'succeeded', null);
      await this.webhooks.markHealth(db, hook.id, true);
      return { kind: 'succeeded' };
    }
    if (decision.kind === 'gone') {
      await this.webhooks.recordAttempt(db, delivery.id, attempt, 'pending', null);
      await this.disable(db, hook, 'the endpoint answered 410 Gone');
      return { kind: 'disabled' };
    }
    const failingSince = await this.webhooks.markHealth(db, hook.id, false);
    if (failingSince && Date.now() - failingSince.getTime() >= this.config.webhooks.disableAfterMs) {
      await this.webhooks.recordAttempt(db, delivery.id, attempt, 'pending', null);
      await this.disable(db, hook, `every delivery failed since ${failingSince.toISOString()}`);
      return { kind: 'disabled' };
    }
    if (decision.kind === 'failed') {
      await this.webhooks.recordAttempt(db, delivery.id, attempt, 'failed', null);
      return { kind: 'failed' };
    }
    await this.webhooks.recordAttempt(db, delivery.id, attempt, 'pending', new Date(Date.now() + decision.delayMs));
    return { kind: 'retry', delayMs: decision.delayMs };
  }

  /** Disables the endpoint (its pending deliveries end `disabled`) and tells its owner: the state on GET, an audit event. */
  private async disable(db: EntityManager, hook: WebhookWithSecrets, reason: string): Promise<void> {
    await this.webhooks.disable(db, hook.id, reason);
    await this.audit.record(db, { userId: hook.userId, event: 'webhook.disabled', details: { webhookId: hook.id, scope: hook.scope, reason } });
    this.logger.warn({ webhookId: hook.id, reason }, 'webhook endpoint disabled');
  }

  private async send(hook: WebhookWithSecrets, delivery: WebhookDeliveryRow): Promise<WebhookAnswer> {
    const secrets = [openWebhookSecret(this.cipher, hook.userId, hook.id, 'current', hook.secret)];
    if (hook.previousSecret && hook.previousSecretExpiresAt && hook.previousSecretExpiresAt.getTime() > Date.now()) {
      secrets.push(openWebhookSecret(this.cipher, hook.userId, hook.id, 'previous', hook.previousSecret));
    }
    const headers = {
      'content-type': 'application/json',
      'user-agent': 'Statusync-Webhooks/1',
      ...signedHeaders(delivery.id, delivery.payload, secrets),
    };
    try {
      const answer = await safeFetch(hook.url, {
        method: 'POST',
        body: delivery.payload,
        headers,
        followRedirects: false,
        allowPrivate: this.config.allowPrivateUrls,
        timeoutMs: this.config.webhooks.timeoutMs,
        maxBytes: MAX_ANSWER_BYTES,
      });
      return { kind: 'http', status: answer.status, retryAfterMs: parseRetryAfter(answer.headers['retry-after']) };
    } catch (error) {
      if (error instanceof UnsafeUrlError) return { kind: 'network', reason: `refused: the URL ${error.reason}` };
      if (error instanceof ResponseTooLargeError) return { kind: 'network', reason: `error: answer larger than ${MAX_ANSWER_BYTES} bytes` };
      if (error instanceof FetchFailedError) return { kind: 'network', reason: error.reason.startsWith('no answer within') ? `timeout: ${error.reason}` : `error: ${error.reason}` };
      throw error;
    }
  }

  /** The endpoint's scope: its owner's for a personal one; for an org one, an admin of its org (its creator, still in it). */
  private inScope<T>(target: DeliverWebhookJob, work: (db: EntityManager) => Promise<T>): Promise<T> {
    const org: OrgMembership = target.orgId ? { orgId: target.orgId, role: 'admin' } : { orgId: null, role: 'member' };
    return this.scope.run(target.ownerId, work, org);
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A job from outside our producer fails for good rather than reaching the database with junk. */
function parseJob(data: unknown): DeliverWebhookJob {
  const job = data as Partial<DeliverWebhookJob> | null;
  if (!job || !UUID.test(String(job.deliveryId)) || !UUID.test(String(job.webhookId)) || !UUID.test(String(job.ownerId))) {
    throw new UnrecoverableError('malformed webhook delivery job');
  }
  if (job.orgId !== null && typeof job.orgId !== 'string') throw new UnrecoverableError('malformed webhook delivery job');
  return { deliveryId: job.deliveryId!, webhookId: job.webhookId!, ownerId: job.ownerId!, orgId: job.orgId };
}
