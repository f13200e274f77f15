import { getQueueToken } from '@nestjs/bullmq';
import type { ModuleRef } from '@nestjs/core';
import { dataSourceOptions, DeliveriesRepository } from '@statusync/db';
import { PLATFORMS } from '@statusync/platforms';
import { StatusSyncProducer, statusSyncQueueName } from '@statusync/queue';
import { Queue } from 'bullmq';
import { Pool } from 'pg';
import { DataSource } from 'typeorm';
import { OutboxSweeper } from '../../../apps/scheduler/src/outbox-sweeper';
import { E2E, queuePrefixFor } from '../../support/test-env';
import { MEDIUM, mediumConfig } from './medium-env';

/**
 * What an outbox sweep test needs, in process: the middle tier's schema as the owner (`admin`) and as the app role,
 * the platforms' queues under a prefix of its own, and a sweeper that only counts deliveries older than a minute.
 * `close()` empties the queues and ends the connections; call `dataSource.initialize()` first.
 */
export function outboxWorld(label: string) {
  const prefix = queuePrefixFor(label);
  const config = mediumConfig(prefix, { OUTBOX_SWEEP_AGE_MS: '60000', OUTBOX_SWEEP_INTERVAL_MS: '60000' });
  const admin = new Pool({ connectionString: E2E.databaseUrl, max: 2, options: `-c search_path=${MEDIUM.schema}` });
  const dataSource = new DataSource(dataSourceOptions({ ...config.database, poolSize: 2, role: 'statusync_app' }));
  const queues = new Map(PLATFORMS.map((p) => [getQueueToken(statusSyncQueueName(p)), new Queue(statusSyncQueueName(p), { connection: { url: E2E.redisUrl }, prefix })]));
  const producer = new StatusSyncProducer({ get: (token: string) => queues.get(token) } as unknown as ModuleRef, config);
  const sweeper = new OutboxSweeper(new DeliveriesRepository(dataSource), producer, config);
  const close = async () => {
    for (const queue of queues.values()) await queue.obliterate({ force: true }).then(() => queue.close());
    await dataSource.destroy();
    await admin.end();
  };
  return { prefix, config, admin, dataSource, producer, sweeper, close };
}
