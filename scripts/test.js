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
if (!withCoverage) {
  run(jest, ['--runInBand', ...jestArgs]);
  process.exit(0);
}
freshDirectories();
const started = Date.now();
// Every Node process the tests start (the built services, the scripts) loads the preload, which writes the V8
// coverage of our build's scripts into paths.raw when the process exits (scripts/coverage-preload.js).
const preload = `--require ${JSON.stringify(join(__dirname, 'coverage-preload.js'))}`;
run(jest, ['--runInBand', '--coverage', '--coverageProvider=v8', `--coverageDirectory=${paths.jest}`, '--coverageReporters=json', ...jestArgs], {
  NODE_OPTIONS: [process.env.NODE_OPTIONS, preload].filter(Boolean).join(' '),
  STATUSYNC_COVERAGE_DIR: paths.raw,
});
console.log(`Tests with coverage: ${((Date.now() - started) / 60_000).toFixed(1)} min.`);
process.exit(reportCoverage({ enforce: wholeSuite }));
