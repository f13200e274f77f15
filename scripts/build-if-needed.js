#!/usr/bin/env node
// Builds (tsc + path-alias rewrite) when any source is newer than the last build. Output goes to stderr so
// commands like `TOKEN=$(npm run --silent token -- alice)` stay clean.
const { spawnSync } = require('node:child_process');
const { existsSync, readdirSync, statSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const stamp = join(root, 'dist', '.build-stamp');
const SOURCES = ['apps', 'libs', 'scripts', 'test/fakes', 'bench', 'packages/sdk/src', 'packages/cli/src', 'tsconfig.base.json', 'tsconfig.build.json', 'package-lock.json'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stats = statSync(path);
  if (!stats.isDirectory()) return stats.mtimeMs;
  return readdirSync(path).reduce((newest, entry) => Math.max(newest, newestMtime(join(path, entry))), stats.mtimeMs);
}

function isBuilt() {
  if (!existsSync(stamp)) return false;
  const built = statSync(stamp).mtimeMs;
  return SOURCES.every((source) => newestMtime(join(root, source)) <= built);
}

function build() {
  process.stderr.write('statusync: building (npm run build)...\n');
  const result = spawnSync('npm', ['run', '--silent', 'build'], { cwd: root, stdio: ['ignore', process.stderr, process.stderr] });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

/** `npm run build` ends with this (`--stamp`), so a build made any way counts as one and is not redone. */
function markBuilt() {
  writeFileSync(stamp, new Date().toISOString());
}

if (require.main === module) {
  if (process.argv.includes('--stamp')) markBuilt();
  else if (!isBuilt()) build();
}

module.exports = { isBuilt, build };
