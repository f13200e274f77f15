// Loaded into every Node process of a test run when `npm test` collects coverage: scripts/test.js puts
// `--require <this file>` in NODE_OPTIONS and the raw directory in STATUSYNC_COVERAGE_DIR, and the tests pass their
// environment on to the processes they start. It replaces NODE_V8_COVERAGE, which made every process cache the
// source map of every module it loaded and dump the coverage of every script at exit (about 13 MB a service
// process, node_modules being over 90 % of it), only for scripts/coverage-report.js to keep our build's share.
// - A process of ours (the built services, the built scripts): precise V8 coverage through the inspector from
//   before its main module loads, as NODE_V8_COVERAGE takes it (call counts, block level); at exit, the scripts of
//   dist/apps and dist/libs only, written in NODE_V8_COVERAGE's format. c8 then reads the build's .map files itself
//   (the same maps Node would have cached). A process killed by a signal it does not handle writes nothing, as
//   with NODE_V8_COVERAGE; the services exit through Nest's shutdown hooks on SIGTERM (process.exit), which writes.
// - Jest (its own V8 coverage is the in-process side): precise coverage switched on from the start and nothing
//   written, as NODE_V8_COVERAGE left it. Jest's first take then also holds what its process ran before the first
//   test file (the migrations of the tiers' global set-up), which NODE_V8_COVERAGE counted too.
// - Anything else run from node_modules (npm, npx, tools the tests run): nothing.
'use strict';
const { join, sep } = require('node:path');

const directory = process.env.STATUSYNC_COVERAGE_DIR;
const main = process.argv[1] ?? '';
const fromNodeModules = main.split(sep).includes('node_modules');
const jest = fromNodeModules && /[\\/]node_modules[\\/](\.bin[\\/]jest$|jest[^\\/]*[\\/])/.test(main);
let session;
if (directory && !fromNodeModules) session = startCoverage(() => writeOurs(directory));
else if (directory && jest) session = startCoverage();

/** Starts precise coverage; `atExit` runs at the end of a normal exit and of process.exit. */
function startCoverage(atExit) {
  const { Session } = require('node:inspector');
  const started = new Session();
  started.connect();
  post(started, 'Profiler.enable');
  post(started, 'Profiler.startPreciseCoverage', { callCount: true, detailed: true });
  if (atExit) {
    process.on('exit', () => {
      // Never let coverage change how the process ends (tests check exit codes): report it and go on.
      try {
        atExit();
      } catch (error) {
        process.stderr.write(`coverage-preload: no coverage written: ${error}\n`);
      }
    });
  }
  return started;
}

/** The in-thread session answers synchronously: the callback has run when `post` returns. */
function post(target, method, params) {
  let outcome;
  target.post(method, params, (error, result) => (outcome = { error, result }));
  if (!outcome) throw new Error(`${method}: no synchronous answer`);
  if (outcome.error) throw outcome.error;
  return outcome.result;
}

function writeOurs(dir) {
  const { writeFileSync } = require('node:fs');
  const { pathToFileURL } = require('node:url');
  const { threadId } = require('node:worker_threads');
  const root = join(__dirname, '..');
  const ours = ['apps', 'libs'].map((folder) => `${pathToFileURL(join(root, 'dist', folder)).href}/`);
  const { result } = post(session, 'Profiler.takePreciseCoverage');
  session.disconnect();
  const kept = result.filter((script) => ours.some((prefix) => script.url.startsWith(prefix)));
  if (kept.length === 0) return;
  // The file name NODE_V8_COVERAGE would give it.
  writeFileSync(join(dir, `coverage-${process.pid}-${Date.now()}-${threadId}.json`), JSON.stringify({ result: kept }));
}
