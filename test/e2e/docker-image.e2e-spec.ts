import { execFileSync, spawn } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join, matchesGlob, posix, relative } from 'node:path';
import { Pool } from 'pg';
import { dropOwnSchema } from '../support/own-schema';
import { ServiceName, ServiceProcess, stackEnv } from '../support/services';
import { E2E, queuePrefixFor } from '../support/test-env';

/**
 * The Dockerfile, built without a Docker daemon (there is none here, and CI has none either): its build stage's
 * COPY and RUN steps are replayed in a temporary directory, from the build context `docker build .` would send (the
 * repository's files less .gitignore's and .dockerignore's), then the runtime stage's `COPY --from=build` assembles
 * the image's /app. From that tree, as the image would run them: each service refuses to start without its secrets
 * (a configuration read only after every module it imports has loaded, so a dependency pruned as "dev" or a file
 * the build never copied shows here as a missing module instead), the compose file's `migrate` step migrates a
 * schema, and the gateway becomes ready against the real Postgres and Redis.
 *
 * What it cannot check: the base image itself, and steps that only run in Docker (`USER`); `npm ci` reaches the same
 * registry as CI's own install.
 */

const ROOT = join(__dirname, '../..');
const SERVICES: ServiceName[] = ['api-gateway', 'sync-worker', 'scheduler', 'calendar-poller'];

interface Step {
  stage: string;
  instruction: string;
  args: string;
}

/** The Dockerfile's instructions, stage by stage (continuation lines joined, comments dropped). */
function dockerfileSteps(text: string): Step[] {
  const lines = text.replace(/\\\n/g, ' ').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  let stage = '';
  let stages = 0;
  return lines.map((line) => {
    const [instruction, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    if (instruction.toUpperCase() === 'FROM') {
      stage = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? `stage-${stages}`;
      stages += 1;
    }
    return { stage, instruction: instruction.toUpperCase(), args };
  });
}

/** The build context as `docker build .` sends it: files git does not ignore, less what .dockerignore excludes. */
function buildContext(): Set<string> {
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter((file) => file !== '' && existsSync(join(ROOT, file)));
  const ignored = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n').map((line) => line.trim()).filter((line) => line !== '' && !line.startsWith('#'));
  // A pattern that matches a directory excludes everything under it, as Docker's does.
  const excluded = (file: string) => {
    const parts = file.split('/');
    return parts.some((_, index) => ignored.some((pattern) => matchesGlob(parts.slice(0, index + 1).join('/'), pattern)));
  };
  const kept = new Set<string>();
  for (const file of files.filter((file) => !excluded(file))) {
    // The file and every directory above it, so a copy's filter can let a directory through.
    for (let path = file; path !== '.'; path = dirname(path)) kept.add(path);
  }
  return kept;
}

/**
 * COPY <sources…> <destination>, relative to WORKDIR /app: from the build context, or from the build stage's tree
 * (`--from=build`). A directory's contents go to the destination; files go into it when it ends in `/`.
 */
function copy(tree: string, args: string[], from: { root: string; has: (path: string) => boolean }) {
  const destination = args[args.length - 1].replace(/^\/app\/?/, './');
  const sources = args.slice(0, -1).map((source) => posix.normalize(source.replace(/^\/app\/?/, '')).replace(/\/$/, ''));
  const intoDirectory = destination.endsWith('/') || sources.length > 1;
  for (const source of sources) {
    if (!from.has(source)) throw new Error(`COPY ${source}: not there to copy`);
    const path = join(from.root, source);
    const target = statSync(path).isDirectory() || !intoDirectory ? join(tree, destination) : join(tree, destination, basename(source));
    cpSync(path, target, { recursive: true, verbatimSymlinks: true, filter: (copied) => from.has(relative(from.root, copied)) });
  }
}

/** The environment of the replayed steps: the machine's, without the test run's coverage preload. */
const cleanEnv = () => {
  const env = { ...process.env };
  delete env.NODE_OPTIONS;
  delete env.STATUSYNC_COVERAGE_DIR;
  return env;
};

function run(command: string, cwd: string, env: Record<string, string | undefined>) {
  return new Promise<{ code: number | null; output: string }>((resolve) => {
    const child = spawn('sh', ['-c', command], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('exit', (code) => resolve({ code, output }));
  });
}

describe('the Docker image (Dockerfile, replayed without a daemon)', () => {
  const steps = dockerfileSteps(readFileSync(join(ROOT, 'Dockerfile'), 'utf8'));
  const work = mkdtempSync(join(tmpdir(), 'statusync-image-'));
  const buildTree = join(work, 'build');
  const imageTree = join(work, 'image');
  const imageEnv: Record<string, string> = {};
  let built: { code: number | null; output: string } = { code: null, output: 'not built' };
  const db = new Pool({ connectionString: E2E.databaseUrl, max: 2 });
  const schema = `${E2E.schema}_docker_image`;

  beforeAll(async () => {
    const context = buildContext();
    const fromContext = { root: ROOT, has: (path: string) => context.has(path) };
    const fromBuild = { root: buildTree, has: (path: string) => existsSync(join(buildTree, path)) };
    mkdirSync(buildTree, { recursive: true });
    mkdirSync(imageTree, { recursive: true });
    // `npm ci` from the machine's npm cache where it can (the registry otherwise), as a warm Docker layer would.
    const env = { ...cleanEnv(), npm_config_prefer_offline: 'true' };
    for (const step of steps) {
      const tree = step.stage === 'build' ? buildTree : imageTree;
      if (step.instruction === 'COPY') {
        const args = step.args.split(/\s+/);
        const from = args[0].startsWith('--from=') ? args.shift()!.slice('--from='.length) : null;
        copy(tree, args, from === 'build' ? fromBuild : fromContext);
      } else if (step.instruction === 'RUN' && step.stage === 'build') {
        built = await run(step.args, buildTree, env);
        if (built.code !== 0) return;
      } else if (step.instruction === 'ENV' && step.stage !== 'build') {
        const [name, ...value] = step.args.split('=');
        imageEnv[name] = value.join('=');
      }
    }
    built = { code: 0, output: '' };
  }, 600_000);

  afterAll(async () => {
    await dropOwnSchema(db, schema);
    await db.end();
    rmSync(work, { recursive: true, force: true });
  });

  it('builds: every RUN step of the build stage succeeds', () => {
    // On failure, the step's last lines say why.
    expect(built.code === 0 ? '' : built.output.split('\n').slice(-30).join('\n')).toBe('');
  });

  it('has each service, the web page and the migrations where docker-compose.yml runs them', () => {
    for (const name of SERVICES) expect(existsSync(join(imageTree, `dist/apps/${name}/src/main.js`))).toBe(true);
    expect(existsSync(join(imageTree, 'dist/apps/api-gateway/web/main.js'))).toBe(true);
    expect(existsSync(join(imageTree, 'dist/scripts/migrate.js'))).toBe(true);
  });

  it.each(SERVICES)('%s loads every module it imports, then refuses to start without its secrets', async (name) => {
    const answer = await run(`node dist/apps/${name}/src/main.js`, imageTree, { PATH: process.env.PATH, ...imageEnv });
    expect(answer.output).not.toMatch(/Cannot find module|MODULE_NOT_FOUND|ERR_MODULE_NOT_FOUND/);
    expect(answer.output).toContain('JWT_SECRET is required when NODE_ENV=production');
    expect(answer.code).toBe(1);
  });

  it("runs docker-compose.yml's migrate step, then the gateway becomes ready against Postgres and Redis and serves the web page", async () => {
    const env = { ...stackEnv({ githubGraphqlUrl: 'http://127.0.0.1:9/graphql', slackApiUrl: 'http://127.0.0.1:9/api/', queuePrefix: queuePrefixFor('docker-image') }), DATABASE_SCHEMA: schema };
    const migrated = await run('node dist/scripts/migrate.js', imageTree, { ...cleanEnv(), ...env });
    expect(migrated.output).toContain('applied InitialSchema');
    expect(migrated.code).toBe(0);
    const gateway = await ServiceProcess.start('api-gateway', { ...cleanEnv(), ...env } as Record<string, string>, imageTree);
    try {
      const answer = await fetch(`${gateway.url}/app/`);
      expect(answer.status).toBe(200);
      expect(await answer.text()).toContain('<script type="module"');
    } finally {
      await gateway.stop();
    }
  }, 90_000);
});
