import { ChildProcess, spawn } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { freePort } from './free-port';
import { waitFor } from './wait-for';

/**
 * Debian's pgbouncer in TRANSACTION pooling on a spare port, in front of the shared Postgres (whose configuration
 * it never touches). Startup `options` cannot pass a transaction pooler, so the pool's server connections get the
 * schema and the services' role from `connect_query`, as an operator would configure it (README).
 */
export class LocalPgBouncer {
  private constructor(
    readonly port: number,
    private readonly child: ChildProcess,
    private readonly dir: string,
  ) {}

  url(): string {
    return `postgres://statusync@127.0.0.1:${this.port}/statusync`;
  }

  static async start(upstream: string, schema: string, poolSize: number): Promise<LocalPgBouncer> {
    const target = new URL(upstream);
    const port = await freePort();
    const dir = mkdtempSync(join(tmpdir(), 'statusync-pgbouncer-'));
    chmodSync(dir, 0o755);
    const ini = join(dir, 'pgbouncer.ini');
    writeFileSync(ini, [
      '[databases]',
      `statusync = host=${target.hostname} port=${target.port || 5432} dbname=${target.pathname.slice(1) || 'postgres'} user=${target.username || 'postgres'} ` +
        `connect_query='SET search_path TO ${schema}; SET ROLE statusync_app'`,
      '[pgbouncer]',
      'listen_addr = 127.0.0.1',
      `listen_port = ${port}`,
      'unix_socket_dir =',
      'auth_type = any',
      'pool_mode = transaction',
      'ignore_startup_parameters = extra_float_digits,options',
      'max_client_conn = 500',
      `default_pool_size = ${poolSize}`,
      '',
    ].join('\n'));
    chmodSync(ini, 0o644);
    // pgbouncer refuses to run as root; -u drops to the postgres user when started as root.
    const args = process.getuid?.() === 0 ? ['-u', 'postgres', ini] : [ini];
    const child = spawn('pgbouncer', args, { stdio: 'ignore' });
    const bouncer = new LocalPgBouncer(port, child, dir);
    await waitFor(async () => {
      const client = new Client({ connectionString: bouncer.url() });
      try {
        await client.connect();
        await client.query('SELECT 1');
        return true;
      } catch {
        return false;
      } finally {
        await client.end().catch(() => undefined);
      }
    }, 'pgbouncer to accept connections', 15_000, 200);
    return bouncer;
  }

  async stop(): Promise<void> {
    if (this.child.exitCode === null) {
      const exited = new Promise((resolve) => this.child.once('exit', resolve));
      this.child.kill('SIGTERM');
      await exited;
    }
    rmSync(this.dir, { recursive: true, force: true });
  }
}
