import { ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from '../../support/free-port';
import { waitFor } from '../../support/wait-for';
import { isAlive } from './private-postgres';

const run = promisify(execFile);
const DIR_PREFIX = 'statusync-chaos-redis-';

/**
 * A Redis of one chaos scenario's own, persisted as in docker-compose.yml (append-only file, fsync every
 * second, no RDB snapshots), in a temporary directory. `restart()` is a clean SHUTDOWN (which fsyncs the AOF)
 * and a start on the same port and directory, so the data comes back the way it does in production.
 */
export class PrivateRedis {
  private child?: ChildProcess;
  private exited?: Promise<void>;

  private constructor(
    readonly port: number,
    readonly dir: string,
  ) {}

  get url(): string {
    return `redis://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<PrivateRedis> {
    const dir = mkdtempSync(join(tmpdir(), DIR_PREFIX));
    // The owner lets a later run remove what a killed run left behind (see removeStaleRedis).
    writeFileSync(join(dir, 'owner'), String(process.pid));
    const redis = new PrivateRedis(await freePort(), dir);
    await redis.launch();
    return redis;
  }

  /** Clean stop (SHUTDOWN: the AOF is fsynced), then the same server again on the same port and directory. */
  async restart(downMs = 0): Promise<void> {
    await this.shutdown();
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.launch();
  }

  /** SIGKILL (an OOM kill, a host crash): up to a second of writes not yet fsynced to the AOF is lost. Then start again. */
  async crash(downMs = 0): Promise<void> {
    this.child?.kill('SIGKILL');
    await this.exited;
    this.child = undefined;
    if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
    await this.launch();
  }

  async shutdown(): Promise<void> {
    if (!this.child) return;
    await run('redis-cli', ['-p', String(this.port), 'shutdown']).catch(() => this.child?.kill('SIGTERM'));
    await this.exited;
    this.child = undefined;
  }

  /** Stops the server for good and removes its directory; safe to call twice and after a failed test. */
  async destroy(): Promise<void> {
    if (this.child) {
      this.child.kill('SIGKILL');
      await this.exited;
      this.child = undefined;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }

  private async launch(): Promise<void> {
    const child = spawn(
      'redis-server',
      [
        '--port', String(this.port),
        '--bind', '127.0.0.1',
        '--dir', this.dir,
        '--appendonly', 'yes',
        '--appendfsync', 'everysec',
        '--save', '',
        '--maxmemory-policy', 'noeviction',
        '--pidfile', join(this.dir, 'redis.pid'),
        '--daemonize', 'no',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    this.child = child;
    this.exited = new Promise((resolve) => child.once('exit', () => resolve()));
    await waitFor(
      async () => (await run('redis-cli', ['-p', String(this.port), 'ping']).catch(() => ({ stdout: '' }))).stdout.trim() === 'PONG',
      `redis on port ${this.port}`,
      10_000,
      50,
    );
  }
}

/** Kills Redis servers and removes directories left by chaos runs whose Jest process is gone. */
export function removeStaleRedis(): string[] {
  const removed: string[] = [];
  for (const entry of readdirSync(tmpdir()).filter((name) => name.startsWith(DIR_PREFIX))) {
    const dir = join(tmpdir(), entry);
    const read = (file: string) => {
      try {
        return Number(readFileSync(join(dir, file), 'utf8').trim());
      } catch {
        return NaN;
      }
    };
    const owner = read('owner');
    if (Number.isFinite(owner) && isAlive(owner)) continue;
    const pid = read('redis.pid');
    if (Number.isFinite(pid) && isAlive(pid)) process.kill(pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}
