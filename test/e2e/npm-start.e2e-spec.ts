import { ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { Pool } from 'pg';
import { canBind, freePort } from '../support/free-port';
import { dropOwnSchema } from '../support/own-schema';
import { PORT_VARIABLE, ServiceName, stackEnv } from '../support/services';
import { E2E, queuePrefixFor } from '../support/test-env';
import { waitFor } from '../support/wait-for';

/**
 * `npm start` as the README runs it (npm, its `sh -c`, scripts/start.js and the four services), stopped the ways a
 * person or a process manager stops it. The README promises that SIGTERM stops them all: a SIGTERM sent to npm's own
 * process id (what `kill <pid>` or a supervisor that does not signal the group sends) ends npm and its shell, which
 * does not pass it on, so scripts/start.js watches for its parent's exit (scripts/stop-when-orphaned.js).
 */

const ROOT = join(__dirname, '../..');
const SERVICES: ServiceName[] = ['api-gateway', 'sync-worker', 'scheduler', 'calendar-poller'];

const isReady = async (port: number) => (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined))?.status === 200;

/** Whether any process of the group is left (npm is its leader: `detached` below). */
const groupAlive = (groupId: number) => {
  try {
    process.kill(-groupId, 0);
    return true;
  } catch {
    return false;
  }
};

/** Every npm started here: the afterAll stops what a failed test left. */
const launched: ChildProcess[] = [];

/** `npm <args>` in a process group of its own, its output kept (the end of it) to explain a failure. */
function npmRun(args: string[], env: NodeJS.ProcessEnv) {
  const child = spawn('npm', args, { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-20_000));
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  launched.push(child);
  return { child, output: () => output };
}

/** SIGTERM to npm's process alone, then wait until no process of its group is left. */
async function terminateNpmOnly(npm: ReturnType<typeof npmRun>) {
  process.kill(npm.child.pid!, 'SIGTERM');
  await waitFor(() => !groupAlive(npm.child.pid!), 'no process of the npm script left', 45_000, 200).catch((error: unknown) => {
    throw new Error(`${String(error)}\n${npm.output()}`);
  });
}

describe('npm start and npm run fakes, stopped by a SIGTERM to npm alone', () => {
  const db = new Pool({ connectionString: E2E.databaseUrl, max: 2 });
  const schema = `${E2E.schema}_npm_start`;

  afterAll(async () => {
    // Whatever a failed test left running.
    for (const child of launched) if (child.pid && groupAlive(child.pid)) process.kill(-child.pid, 'SIGKILL');
    await dropOwnSchema(db, schema);
    await db.end();
  });

  it('npm start: every service stops', async () => {
    const ports = await Promise.all(SERVICES.map(() => freePort()));
    const npm = npmRun(['start'], {
      ...process.env,
      ...stackEnv({ githubGraphqlUrl: 'http://127.0.0.1:9/graphql', slackApiUrl: 'http://127.0.0.1:9/api/', queuePrefix: queuePrefixFor('npm-start') }),
      // A schema of its own, which `npm start` migrates: its scheduler and poller sweep every user of their schema.
      DATABASE_SCHEMA: schema,
      LOG_LEVEL: 'warn',
      ...Object.fromEntries(SERVICES.map((name, index) => [PORT_VARIABLE[name], String(ports[index])])),
    });
    await waitFor(
      async () => (await Promise.all(ports.map(isReady))).every(Boolean) || (npm.child.exitCode !== null ? Promise.reject(new Error(`npm start exited: ${npm.output()}`)) : false),
      'all four services ready',
      90_000,
      200,
    );
    await terminateNpmOnly(npm);
    expect(npm.output()).not.toMatch(/did not stop in/);
  }, 150_000);

  it('npm run fakes: both fakes stop and free their ports', async () => {
    const [github, slack] = [await freePort(), await freePort()];
    const npm = npmRun(['run', 'fakes'], { ...process.env, FAKE_GITHUB_PORT: String(github), FAKE_SLACK_PORT: String(slack) });
    const answers = (port: number) => fetch(`http://127.0.0.1:${port}/_fake/state`).then((r) => r.ok, () => false);
    await waitFor(async () => (await answers(github)) && (await answers(slack)), 'both fakes answering', 60_000, 200);
    expect(npm.output()).toContain(':party-parrot:');
    await terminateNpmOnly(npm);
    expect([await canBind(github), await canBind(slack)]).toEqual([true, true]);
  }, 90_000);
});
