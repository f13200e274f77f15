#!/usr/bin/env node
// `npm start`: build if needed, run migrations, then run all four services in the foreground.
// Ctrl-C / SIGTERM stops them all cleanly (each finishes its in-flight work); if one dies, the rest are stopped.
const { spawn, spawnSync } = require('node:child_process');
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const { isBuilt, build } = require('./build-if-needed');
const { stopWhenOrphaned } = require('./stop-when-orphaned');

const root = join(__dirname, '..');
const SERVICES = ['api-gateway', 'sync-worker', 'scheduler', 'calendar-poller'];
const STOP_TIMEOUT_MS = 30_000;

// A local .env fills in what the environment does not set (variables already set win).
if (existsSync(join(root, '.env'))) process.loadEnvFile(join(root, '.env'));

if (!isBuilt()) build();

const migration = spawnSync(process.execPath, [join(root, 'dist/scripts/migrate.js')], { cwd: root, stdio: 'inherit' });
if (migration.status !== 0) process.exit(migration.status ?? 1);

const children = new Map();
let stopping = false;
let exitCode = 0;

for (const name of SERVICES) {
  const child = spawn(process.execPath, [join(root, `dist/apps/${name}/src/main.js`)], { cwd: root, stdio: 'inherit' });
  children.set(name, child);
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      process.stderr.write(`statusync: ${name} exited (${signal ?? code}); stopping the others\n`);
      exitCode = 1;
      stop();
    }
    if (children.size === 0) process.exit(exitCode);
  });
}

function stop() {
  if (stopping) return;
  stopping = true;
  for (const child of children.values()) child.kill('SIGTERM');
  setTimeout(() => {
    for (const [name, child] of children) {
      process.stderr.write(`statusync: ${name} did not stop in ${STOP_TIMEOUT_MS} ms; killing it\n`);
      child.kill('SIGKILL');
    }
  }, STOP_TIMEOUT_MS).unref();
}

process.on('SIGINT', stop);
process.on('SIGTERM', stop);
stopWhenOrphaned(stop);
