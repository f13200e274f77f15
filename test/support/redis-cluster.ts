import { ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { canBind } from './free-port';
import { waitFor } from './wait-for';

/** Free if both the port and its cluster-bus port (+10000) can be bound right now. */
const canBindWithBus = async (port: number) => (await canBind(port)) && (await canBind(port + 10_000));

/** A throwaway 3-master Redis Cluster on spare ports, for one test file; never touches the shared Redis. */
export class LocalRedisCluster {
  private constructor(
    readonly ports: number[],
    private readonly servers: ChildProcess[],
    private readonly dir: string,
  ) {}

  /** REDIS_CLUSTER_NODES for the services. */
  get nodes(): string {
    return this.ports.map((port) => `127.0.0.1:${port}`).join(',');
  }

  static async start(): Promise<LocalRedisCluster> {
    const dir = mkdtempSync(join(tmpdir(), 'statusync-redis-cluster-'));
    const ports: number[] = [];
    for (let port = 20_000 + Math.floor(Math.random() * 20_000); ports.length < 3; port++) if (await canBindWithBus(port)) ports.push(port);
    const servers = ports.map((port) =>
      spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`,
        '--dir', dir, '--save', '', '--appendonly', 'no'], { stdio: 'ignore' }),
    );
    const cluster = new LocalRedisCluster(ports, servers, dir);
    const cli = (port: number, ...args: string[]) => execFileSync('redis-cli', ['-p', String(port), ...args], { encoding: 'utf8' });
    await waitFor(() => ports.every((port) => { try { return cli(port, 'ping').trim() === 'PONG'; } catch { return false; } }), 'cluster nodes to start', 10_000);
    execFileSync('redis-cli', ['--cluster', 'create', ...ports.map((p) => `127.0.0.1:${p}`), '--cluster-replicas', '0', '--cluster-yes'], { stdio: 'ignore' });
    await waitFor(() => ports.every((port) => cli(port, 'cluster', 'info').includes('cluster_state:ok')), 'the cluster to be ok', 20_000);
    return cluster;
  }

  async stop(): Promise<void> {
    await Promise.all(this.servers.map((server) => new Promise((resolve) => (server.exitCode !== null ? resolve(null) : (server.once('exit', resolve), server.kill('SIGTERM'))))));
    rmSync(this.dir, { recursive: true, force: true });
  }
}
