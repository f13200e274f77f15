import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from '../../support/free-port';
import { createCluster, dropStaleClusters } from './private-postgres';
import { removeStaleRedis } from './private-redis';

/**
 * Once per run: a private Postgres cluster on a spare port (scenarios stop and restart it), after removing
 * whatever a killed earlier run left behind. Each scenario file migrates its own schema in it.
 */
export default async function globalSetup(globalConfig: { runInBand?: boolean; maxWorkers?: number }): Promise<void> {
  // Scenarios share the cluster and one of them restarts it: in parallel they would break each other.
  if (!globalConfig.runInBand && (globalConfig.maxWorkers ?? 1) > 1) {
    throw new Error('chaos scenarios must run one at a time: use `npm run test:chaos` (or jest --runInBand)');
  }
  const main = join(__dirname, '../../../dist/apps/api-gateway/src/main.js');
  if (!existsSync(main)) throw new Error('chaos tests run the built services: run `npm run build` first (npm run test:chaos does)');
  const stale = [...dropStaleClusters(), ...removeStaleRedis()];
  if (stale.length > 0) process.stdout.write(`chaos: removed leftovers of an earlier run: ${stale.join(', ')}\n`);
  const cluster = createCluster(await freePort());
  process.env.CHAOS_PG_VERSION = cluster.version;
  process.env.CHAOS_PG_CLUSTER = cluster.name;
  process.env.CHAOS_PG_PORT = String(cluster.port);
}
