import { execFile, execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/**
 * A Postgres cluster of the chaos run's own (Debian's postgresql-common tools), on a spare port, so stopping
 * and restarting Postgres never touches the shared cluster other tests and developers use. Named after the
 * Jest process that owns it, so a run that died without its teardown is recognised and dropped by the next.
 */
export interface PrivateCluster {
  version: string;
  name: string;
  port: number;
}

const NAME = /^chaos_(\d+)$/;

/** The newest Postgres major version installed (the cluster tools need one). */
export function installedVersion(): string {
  const versions = readdirSync('/usr/lib/postgresql')
    .filter((entry) => /^\d+$/.test(entry))
    .sort((a, b) => Number(b) - Number(a));
  if (versions.length === 0) throw new Error('no Postgres server under /usr/lib/postgresql: the chaos tests need pg_createcluster');
  return versions[0];
}

export const clusterUrl = (cluster: PrivateCluster) => `postgres://postgres@127.0.0.1:${cluster.port}/postgres`;

/** Creates and starts a trust-auth cluster listening on localhost:`port`. Takes a few seconds. */
export function createCluster(port: number, owner = process.pid): PrivateCluster {
  const cluster = { version: installedVersion(), name: `chaos_${owner}`, port };
  try {
    createOrThrow(cluster);
  } catch (error) {
    // A half-created cluster (e.g. one that did not start) would otherwise wait for the next run's clean-up.
    try {
      dropCluster(cluster);
    } catch {
      // it was never registered
    }
    throw error;
  }
  return cluster;
}

function createOrThrow(cluster: PrivateCluster): void {
  execFileSync(
    'pg_createcluster',
    [
      '--start',
      '--start-conf=manual', // never started at boot
      '-p',
      String(cluster.port),
      '-o',
      'max_connections=200', // three services with their pools, a restarted worker, the test's own pool
      cluster.version,
      cluster.name,
      '--',
      '--auth=trust',
    ],
    { stdio: 'pipe' },
  );
}

/** Fast shutdown: open transactions are rolled back and every connection is cut, as in a real restart. */
export async function stopCluster(cluster: PrivateCluster): Promise<void> {
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', cluster.version, cluster.name, 'stop', '-m', 'fast']);
}

export async function startCluster(cluster: PrivateCluster): Promise<void> {
  await run('pg_ctlcluster', ['--skip-systemctl-redirect', cluster.version, cluster.name, 'start']);
}

export function dropCluster(cluster: Pick<PrivateCluster, 'version' | 'name'>): void {
  execFileSync('pg_dropcluster', ['--stop', cluster.version, cluster.name], { stdio: 'pipe' });
}

/** Drops chaos clusters whose owning process is gone (a run killed before its teardown). */
export function dropStaleClusters(): string[] {
  const listing = execFileSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' });
  const dropped: string[] = [];
  for (const line of listing.split('\n')) {
    const [version, name] = line.trim().split(/\s+/);
    const owner = NAME.exec(name ?? '')?.[1];
    if (!owner || isAlive(Number(owner))) continue;
    dropCluster({ version, name });
    dropped.push(`${version}/${name}`);
  }
  return dropped;
}

export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
