import { spawn } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

// The preload finds "our build" next to itself (../dist/apps, ../dist/libs), so each test gets a copy of it in a
// project of its own: a built app and lib, a dependency in node_modules, and a stand-in for Jest.
interface ScriptCoverage {
  url: string;
  functions: { functionName: string; isBlockCoverage: boolean; ranges: { count: number }[] }[];
}

let root: string;
let raw: string;

function write(path: string, text: string): void {
  mkdirSync(dirname(join(root, path)), { recursive: true });
  writeFileSync(join(root, path), text);
}

beforeEach(() => {
  root = mkdtempSync(join(tmpdir(), 'statusync-coverage-preload-'));
  raw = join(root, 'coverage', 'v8');
  mkdirSync(raw, { recursive: true });
  mkdirSync(join(root, 'scripts'));
  copyFileSync(join(__dirname, 'coverage-preload.js'), join(root, 'scripts', 'coverage-preload.js'));
  write('node_modules/dep/index.js', 'exports.twice = (x) => 2 * x;\n');
  write('dist/libs/core/src/index.js', 'exports.pick = function pick(x) {\n  if (x > 1) return "many";\n  return "one";\n};\n');
  write(
    'dist/apps/gateway/src/main.js',
    [
      `const { pick } = require('../../../libs/core/src');`,
      `const { twice } = require('../../../../node_modules/dep');`,
      `for (let i = 0; i < 3; i++) pick(twice(i));`,
      // Like a Nest service with useProcessExit: SIGTERM ends in process.exit.
      `if (process.env.WAIT_FOR_SIGTERM) { process.on('SIGTERM', () => process.exit(3)); setInterval(() => undefined, 1000); console.log('ready'); }`,
    ].join('\n'),
  );
  write('node_modules/.bin/jest', `require('../../dist/libs/core/src').pick(1);\n`);
});

afterEach(() => rmSync(root, { recursive: true, force: true }));

function run(main: string, env: Record<string, string> = {}, stopWithSigterm = false): Promise<number | null> {
  const child = spawn(process.execPath, [join(root, main)], {
    env: { ...process.env, NODE_OPTIONS: `--require "${join(root, 'scripts', 'coverage-preload.js')}"`, STATUSYNC_COVERAGE_DIR: raw, ...env },
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  if (stopWithSigterm) child.stdout.once('data', () => child.kill('SIGTERM'));
  return new Promise((resolve) => child.on('exit', (code) => resolve(code)));
}

function dumps(): { result: ScriptCoverage[] }[] {
  return readdirSync(raw).map((name) => JSON.parse(readFileSync(join(raw, name), 'utf8')));
}

describe('coverage preload (scripts/coverage-preload.js)', () => {
  it('writes, at exit, the block coverage of our built apps and libs only', async () => {
    expect(await run('dist/apps/gateway/src/main.js')).toBe(0);

    const [dump, ...others] = dumps();
    expect(others).toHaveLength(0);
    const urls = dump.result.map((script) => script.url).sort();
    expect(urls).toEqual([pathToFileURL(join(root, 'dist/apps/gateway/src/main.js')).href, pathToFileURL(join(root, 'dist/libs/core/src/index.js')).href]);
    const lib = dump.result.find((script) => script.url.endsWith('/dist/libs/core/src/index.js'))!;
    const pick = lib.functions.find((fn) => fn.functionName === 'pick')!;
    // Called three times (0, 2, 4): the function, its `many` branch twice, and the block below it once.
    expect(pick.isBlockCoverage).toBe(true);
    expect(pick.ranges.map((range) => range.count)).toEqual([3, 2, 1]);
  });

  it('writes when SIGTERM ends in process.exit, and keeps the exit code', async () => {
    expect(await run('dist/apps/gateway/src/main.js', { WAIT_FOR_SIGTERM: '1' }, true)).toBe(3);

    expect(dumps()).toHaveLength(1);
  });

  it('writes nothing for a process run from node_modules (Jest: its own coverage is the in-process side)', async () => {
    expect(await run('node_modules/.bin/jest')).toBe(0);

    expect(dumps()).toHaveLength(0);
  });

  it('does nothing when coverage is off', async () => {
    expect(await run('dist/apps/gateway/src/main.js', { STATUSYNC_COVERAGE_DIR: '' })).toBe(0);

    expect(dumps()).toHaveLength(0);
  });
});
