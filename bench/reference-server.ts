/**
 * The yardstick for the gateway: what a bare Fastify server doing the essential work costs on this machine, written
 * as fast as a careful engineer would: JWT check with an HS256 KeyObject (no per-call key parsing), one Postgres
 * insert on a pool of the gateway's size, and one BullMQ addBulk of two jobs. Nothing else (no validation, no RLS,
 * no idempotency, no logging). The gateway should reach a good fraction of it.
 */
import { createSecretKey } from 'node:crypto';
import { Queue } from 'bullmq';
import Fastify from 'fastify';
import jwt from 'jsonwebtoken';
import { Pool } from 'pg';

async function main() {
  const key = createSecretKey(Buffer.from(process.env.JWT_SECRET!, 'utf8'));
  const db = new Pool({
    connectionString: process.env.DATABASE_URL,
    max: Number(process.env.DATABASE_POOL_SIZE ?? 20),
    options: `-c search_path=${process.env.DATABASE_SCHEMA}`,
  });
  await db.query(`CREATE TABLE IF NOT EXISTS bench_reference (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, sub text, body jsonb, created_at timestamptz DEFAULT now())`);
  const queue = new Queue('bench-reference', { connection: { url: process.env.REDIS_URL }, prefix: process.env.QUEUE_PREFIX });
  const app = Fastify({ logger: false });
  app.get('/health/ready', async () => ({ status: 'ok' }));
  app.post('/api/v1/status/update', async (request, reply) => {
    const token = (request.headers.authorization ?? '').replace(/^Bearer /, '');
    let sub: string;
    try {
      sub = (jwt.verify(token, key as unknown as string, { algorithms: ['HS256'] }) as { sub: string }).sub;
    } catch {
      return reply.code(401).send({ status: 401 });
    }
    const { rows } = await db.query(`INSERT INTO bench_reference (sub, body) VALUES ($1, $2) RETURNING id`, [sub, request.body]);
    const id = String(rows[0].id);
    await queue.addBulk(['github', 'slack'].map((platform) => ({ name: 'sync', data: { id, platform }, opts: { jobId: `${id}.${platform}` } })));
    return reply.code(202).send({ id });
  });
  await app.listen({ port: Number(process.env.PORT), host: '127.0.0.1' });
  process.on('SIGTERM', () => void app.close().then(() => Promise.all([queue.close(), db.end()])).then(() => process.exit(0)));
}

void main();
