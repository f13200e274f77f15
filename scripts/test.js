#!/usr/bin/env node
// `npm test`: type-check, build, then every suite with coverage merged across processes; fails when a test fails
// or when an app's or lib's lines or branches drop below their floor in coverage.config.js.
// `npm test -- <jest arguments>` (e.g. `--selectProjects unit`) runs just those tests, without coverage: a part of
// the suite cannot be held to the whole suite's floors.
// `npm run test:cov -- <jest arguments>`: those tests with the coverage report, floors not enforced.
const { spawnSync } = require('node:child_process');
const { join } = require('node:path');
const { paths, freshDirectories, reportCoverage } = require('./coverage-report');

const ROOT = join(__dirname, '..');
const args = process.argv.slice(2);
const coverageAsked = args[0] === '--coverage';
const jestArgs = coverageAsked ? args.slice(1) : args;
const wholeSuite = jestArgs.length === 0;
const withCoverage = wholeSuite || coverageAsked;

function run(command, commandArgs, env = {}) {
  const result = spawnSync(command, commandArgs, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

run('npm', ['run', '--silent', 'typecheck']);
run('npm', ['run', '--silent', 'build']);
const jest = join(ROOT, 'node_modules', '.bin', 'jest');
/** The multi-process tiers start services of their own and run one file at a time; `--maxWorkers` asks for more. */
const inBand = (partArgs) => (partArgs.some((arg) => arg.startsWith('--maxWorkers')) ? partArgs : ['--runInBand', ...partArgs]);
if (!withCoverage) {
  run(jest, inBand(jestArgs));
  process.exit(0);
}
freshDirectories();
const started = Date.now();
// Every Node process the tests start (the built services, the scripts) loads the preload, which writes the V8
// coverage of our build's scripts into paths.raw when the process exits (scripts/coverage-preload.js).
const preload = `--require ${JSON.stringify(join(__dirname, 'coverage-preload.js'))}`;
const coverageEnv = { NODE_OPTIONS: [process.env.NODE_OPTIONS, preload].filter(Boolean).join(' '), STATUSYNC_COVERAGE_DIR: paths.raw };

/**
 * The whole suite runs as several Jest processes in turn, each with a fresh heap: one Jest process for all of it
 * slowed as it went (the same unit file took 3 s alone and 9–15 s late in the run, with Jest's RSS at 2.7 GB), which
 * put CI past its 30-minute budget (docs/decisions.md §40). Each writes its coverage to a directory of its own;
 * reportCoverage merges them. A part that fails does not stop the others, so one run shows every failure.
 * Unit files and most e2e files run two at a time: e2e files wait on services, fakes and real time more than they
 * compute, so two overlap well on two cores. Run one at a time after them: the e2e files that assert a time or a
 * latency (a prompt exit, a retry's gap, a live event within a second, a meeting applied within 30 s of its start,
 * a p95), which a second file's load can break, and the Docker image's replayed build, which takes both cores for a
 * minute and a half and would be that load. Files that check that nothing anywhere changed have a schema of their
 * own (`ownSchema` in test/support/stack.ts), so they can run alongside.
 */
const E2E_ALONE_FILES = ['startup', 'retries', 'live', 'schedules', 'calendar-meetings', 'calendar-providers', 'team-availability-scale', 'bench-smoke', 'docker-image'];
const E2E_ALONE = `test/e2e/(${E2E_ALONE_FILES.join('|')})\\.e2e-spec`;
const parts = wholeSuite
  ? [
      { name: 'unit', args: ['--selectProjects', 'unit', '--maxWorkers=2'] },
      { name: 'medium', args: ['--selectProjects', 'medium'] },
      { name: 'e2e', args: ['--selectProjects', 'e2e', '--maxWorkers=2', '--testPathIgnorePatterns', E2E_ALONE] },
      { name: 'e2e-alone', args: ['--selectProjects', 'e2e', '--testPathPatterns', E2E_ALONE] },
      { name: 'fuzz', args: ['--selectProjects', 'fuzz'] },
      { name: 'chaos', args: ['--selectProjects', 'chaos'] },
    ]
  : [{ name: 'selected', args: jestArgs }];

const failed = [];
for (const part of parts) {
  const partStarted = Date.now();
  const coverageArgs = ['--coverage', '--coverageProvider=v8', `--coverageDirectory=${join(paths.jest, part.name)}`, '--coverageReporters=json'];
  const result = spawnSync(jest, [...coverageArgs, ...inBand(part.args)], { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...coverageEnv } });
  const minutes = ((Date.now() - partStarted) / 60_000).toFixed(1);
  console.log(`Tests ${part.name}: ${result.status === 0 ? 'passed' : 'FAILED'} in ${minutes} min.`);
  if (result.status !== 0) failed.push(part.name);
}
console.log(`Tests with coverage: ${((Date.now() - started) / 60_000).toFixed(1)} min.`);
if (failed.length > 0) {
  console.error(`Failed: ${failed.join(', ')} (coverage not reported: it would be a part of the suite's).`);
  process.exit(1);
}
process.exit(reportCoverage({ enforce: wholeSuite }));
