import { randomBytes, randomUUID } from 'node:crypto';
import { Logger } from '@nestjs/common';
import { AppConfig, TokenCipher } from '@statusync/core';
import { AuditRepository, UserScope, WebhooksRepository } from '@statusync/db';
import { DeliverWebhookJob, generateWebhookSecret, sealWebhookSecret, WEBHOOK_DELIVERY_QUEUE, webhookJobId, webhookPayload, WebhookProducer } from '@statusync/queue';
import { Queue, Worker } from 'bullmq';
import { waitFor } from '../support/wait-for';
import { E2E, queuePrefixFor } from '../support/test-env';
import type { Job } from 'bullmq';
import { Pool } from 'pg';
import { Webhook } from 'standardwebhooks';
import { DataSource } from 'typeorm';
import { WebhookDeliveryProcessor, WebhookRetryLater } from '../../apps/sync-worker/src/webhooks/webhook-delivery.processor';
import { WebhookReceiver } from '../support/webhook-receiver';
import { openDatabases, seedUser } from './support/lease-db';

const KEYS = [{ id: 'k1', key: randomBytes(32) }];
const SCHEDULE = [0, 1_000, 2_000];

/**
 * The delivery processor in-process, on the real Postgres as the services' role: the SSRF guard at delivery time
 * (the address actually connected, not only the one checked at creation), signing, the stored next attempt, and
 * the overdue sweep's function.
 */
describe('webhook delivery processor', () => {
  let app: DataSource;
  let scope: UserScope;
  let admin: Pool;
  let receiver: WebhookReceiver;
  const webhooks = () => new WebhooksRepository(app);
  const cipher = new TokenCipher(KEYS);

  beforeAll(async () => {
    Logger.overrideLogger(false); // the processor logs every attempt; the assertions say what matters here
    ({ app, scope, admin } = await openDatabases());
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await app?.destroy();
    await admin?.end();
    await receiver?.close();
  });

  const processor = (allowPrivateUrls: boolean) =>
    new WebhookDeliveryProcessor(scope, webhooks(), new AuditRepository(), {
      allowPrivateUrls,
      tokenEncryptionKeys: KEYS,
      webhooks: { retryScheduleMs: SCHEDULE, disableAfterMs: 86_400_000, timeoutMs: 2_000, concurrency: 1, sweepIntervalMs: 60_000, retentionDays: 30 },
    } as unknown as AppConfig);

  /** An endpoint at `url` with one pending delivery, as the API and the emitter would write them. */
  async function seed(url: string) {
    const userId = await seedUser(admin);
    const id = randomUUID();
    const secret = generateWebhookSecret();
    const sealed = sealWebhookSecret(cipher, userId, id, 'current', secret);
    await admin.query(
      `INSERT INTO webhooks (id, user_id, scope, url, events, secret_ciphertext, secret_key_id) VALUES ($1, $2, 'personal', $3, '{status.changed}', $4, $5)`,
      [id, userId, url, sealed.ciphertext, sealed.keyId],
    );
    const [target] = await scope.run(userId, (db) => webhooks().emitMany(db, [{ type: 'status.changed', key: `k.${id}`, payload: webhookPayload('status.changed', { n: 1 }) }]));
    const job = { data: { deliveryId: target.deliveryId, webhookId: id, ownerId: userId, orgId: null }, attemptsMade: 0 } as Job<DeliverWebhookJob>;
    return { userId, id, secret, target, job };
  }
  const delivery = async (id: string) => (await admin.query(`SELECT state, attempts, next_attempt_at FROM webhook_deliveries WHERE id = $1`, [id])).rows[0];

  it('delivers a signed request the library verifies, and records the attempt', async () => {
    const hookPath = `/m/${randomBytes(3).toString('hex')}`;
    const { secret, target, job } = await seed(`${receiver.url}${hookPath}`);
    expect(await processor(true).process(job)).toBe('succeeded');
    const [entry] = receiver.at(hookPath);
    expect(new Webhook(secret).verify(entry.body, entry.headers as Record<string, string>)).toEqual(expect.objectContaining({ type: 'status.changed', data: { n: 1 } }));
    expect(entry.headers['webhook-id']).toBe(target.deliveryId);
    expect(await delivery(target.deliveryId)).toEqual(expect.objectContaining({ state: 'succeeded', attempts: [expect.objectContaining({ status: 204 })] }));
    // A job for a delivery already final does nothing (a duplicate job, a sweep that raced the worker).
    expect(await processor(true).process(job)).toBe('skipped');
    expect(receiver.at(hookPath)).toHaveLength(1);
  });

  it('refuses at delivery time an endpoint whose name now resolves to loopback, without sending anything', async () => {
    // `localhost` passes no literal-address check: only the resolved, connected address is refused.
    const hookPath = `/m/${randomBytes(3).toString('hex')}`;
    const port = new URL(receiver.url).port;
    for (const url of [`http://localhost:${port}${hookPath}`, `http://127.0.0.1:${port}${hookPath}`]) {
      const { target, job } = await seed(url);
      const before = Date.now();
      const error = await processor(false).process(job).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(WebhookRetryLater);
      const row = await delivery(target.deliveryId);
      expect(row.state).toBe('pending');
      expect(row.attempts).toEqual([expect.objectContaining({ status: null, error: expect.stringMatching(/^refused: /) })]);
      // The next attempt is the schedule's second step (plus at most 10 % jitter), stored for the API.
      const wait = row.next_attempt_at.getTime() - before;
      expect(wait).toBeGreaterThanOrEqual(900);
      expect(wait).toBeLessThanOrEqual(1_100 + (Date.now() - before));
      expect((error as WebhookRetryLater).delayMs).toBeGreaterThanOrEqual(1_000);
    }
    expect(receiver.at(hookPath)).toHaveLength(0);
  });

  it('fails the delivery on the last attempt and lists it for the overdue sweep only while pending and late', async () => {
    const hookPath = `/m/${randomBytes(3).toString('hex')}`;
    receiver.answer(hookPath, () => ({ status: 500 }));
    const { target, job } = await seed(`${receiver.url}${hookPath}`);
    await admin.query(`UPDATE webhook_deliveries SET next_attempt_at = now() - interval '10 minutes' WHERE id = $1`, [target.deliveryId]);
    const overdue = async () => (await webhooks().overdue(120_000, 1_000)).map((row) => row.deliveryId);
    expect(await overdue()).toContain(target.deliveryId);
    const last = { ...job, attemptsMade: SCHEDULE.length - 1 } as Job<DeliverWebhookJob>;
    expect(await processor(true).process(last)).toBe('failed');
    expect((await delivery(target.deliveryId)).state).toBe('failed');
    expect(await overdue()).not.toContain(target.deliveryId);
  });

  it('the overdue sweep enqueues a delivery whose job was lost, retries one whose job failed, and leaves a waiting one alone', async () => {
    const prefix = queuePrefixFor('webhook-medium');
    const config = { redis: { url: E2E.redisUrl, queuePrefix: prefix }, webhooks: { retryScheduleMs: SCHEDULE } } as unknown as AppConfig;
    const producer = new WebhookProducer(config);
    const queue = new Queue<DeliverWebhookJob>(WEBHOOK_DELIVERY_QUEUE, { connection: { url: E2E.redisUrl }, prefix });
    try {
      const lost = (await seed(`${receiver.url}/m/lost`)).target;
      const waiting = (await seed(`${receiver.url}/m/waiting`)).target;
      const failed = (await seed(`${receiver.url}/m/failed`)).target;
      // The failed one's job ended failed for good (as after an unexpected error on its last attempt).
      await queue.add('deliver-webhook', { deliveryId: failed.deliveryId, webhookId: failed.webhookId, ownerId: failed.ownerId, orgId: null }, { jobId: webhookJobId(failed.deliveryId, 0), attempts: 1 });
      const worker = new Worker(WEBHOOK_DELIVERY_QUEUE, async () => { throw new Error('database down'); }, { connection: { url: E2E.redisUrl }, prefix });
      const job = (await queue.getJob(webhookJobId(failed.deliveryId, 0)))!;
      await waitFor(async () => (await job.getState()) === 'failed', 'the job to fail');
      await worker.close();
      await producer.enqueue([waiting]);
      expect(await job.getState()).toBe('failed');

      expect(await producer.revive([lost, waiting, failed])).toBe(2);
      expect(await (await queue.getJob(webhookJobId(lost.deliveryId, 0)))?.getState()).toBe('waiting');
      expect(await (await queue.getJob(webhookJobId(waiting.deliveryId, 0)))?.getState()).toBe('waiting');
      expect(await (await queue.getJob(webhookJobId(failed.deliveryId, 0)))?.getState()).toBe('waiting');
      // Nothing doubled: one job per delivery.
      expect(await queue.getJobCountByTypes('waiting')).toBe(3);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await producer.onApplicationShutdown();
    }
  });

  it('purges final deliveries older than the retention, keeping pending ones whatever their age', async () => {
    const old = (await seed(`${receiver.url}/m/old`)).target;
    const oldPending = (await seed(`${receiver.url}/m/old-pending`)).target;
    const recent = (await seed(`${receiver.url}/m/recent`)).target;
    await admin.query(`UPDATE webhook_deliveries SET created_at = now() - interval '40 days', state = 'succeeded' WHERE id = $1`, [old.deliveryId]);
    await admin.query(`UPDATE webhook_deliveries SET created_at = now() - interval '40 days' WHERE id = $1`, [oldPending.deliveryId]);
    await admin.query(`UPDATE webhook_deliveries SET state = 'failed' WHERE id = $1`, [recent.deliveryId]);
    while ((await webhooks().purgeBatch(30, 1_000)) > 0);
    const left = (await admin.query(`SELECT id FROM webhook_deliveries WHERE id = ANY($1)`, [[old.deliveryId, oldPending.deliveryId, recent.deliveryId]])).rows.map((row) => row.id);
    expect(left.sort()).toEqual([oldPending.deliveryId, recent.deliveryId].sort());
  });
});
