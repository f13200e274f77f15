import { dropCluster } from './private-postgres';

/** Drops the run's private cluster. Set CHAOS_KEEP=1 to inspect it (the next run drops it). */
export default async function globalTeardown(): Promise<void> {
  const { CHAOS_PG_VERSION: version, CHAOS_PG_CLUSTER: name } = process.env;
  if (process.env.CHAOS_KEEP === '1' || !version || !name) return;
  dropCluster({ version, name });
}
