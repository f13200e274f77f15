#!/usr/bin/env node
// `npm run test:cov`: every suite (unit, e2e, fuzz, chaos) with coverage merged across processes, reported per app
// and lib. The e2e services are separate Node processes, so Jest's in-process numbers alone would miss most of the
// code they run: Node writes each process's own V8 coverage to NODE_V8_COVERAGE (children inherit it), c8 maps it
// through the build's source maps back to the TypeScript, and it is merged with Jest's (V8 provider) coverage of the
// code the tests load in-process. Thresholds: COVERAGE_MIN_LINES / COVERAGE_MIN_BRANCHES (percent, per app and lib).
const { execFileSync, spawnSync } = require('node:child_process');
const { existsSync, mkdirSync, readFileSync, rmSync } = require('node:fs');
const { join, relative, sep } = require('node:path');
const libCoverage = require('istanbul-lib-coverage');
const libReport = require('istanbul-lib-report');
const reports = require('istanbul-reports');

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'coverage');
const V8_DIR = join(OUT, 'v8');
const bin = (name) => join(ROOT, 'node_modules', '.bin', name);
const minimum = { lines: Number(process.env.COVERAGE_MIN_LINES ?? 0), branches: Number(process.env.COVERAGE_MIN_BRANCHES ?? 0) };

function run(command, args, env = {}) {
  const result = spawnSync(command, args, { cwd: ROOT, stdio: 'inherit', env: { ...process.env, ...env } });
  if (result.status !== 0) process.exit(result.status ?? 1);
}

rmSync(OUT, { recursive: true, force: true });
mkdirSync(V8_DIR, { recursive: true });
run('npm', ['run', 'typecheck']);
run('npm', ['run', 'build']);
run(bin('jest'), ['--runInBand', '--coverage', '--coverageProvider=v8', `--coverageDirectory=${join(OUT, 'jest')}`, '--coverageReporters=json', ...process.argv.slice(2)], {
  NODE_V8_COVERAGE: V8_DIR,
});
execFileSync(
  bin('c8'),
  ['report', '--temp-directory', V8_DIR, '--report-dir', join(OUT, 'services'), '--reporter=json', '--include', 'dist/apps/**', '--include', 'dist/libs/**', '--exclude', '**/*.spec.*', '--exclude-after-remap'],
  { cwd: ROOT, stdio: 'inherit' },
);

const map = libCoverage.createCoverageMap({});
for (const part of ['jest', 'services']) {
  const file = join(OUT, part, 'coverage-final.json');
  if (existsSync(file)) map.merge(JSON.parse(readFileSync(file, 'utf8')));
}
// Only our sources: the in-process run also saw test helpers and fakes.
map.filter((file) => /^(apps|libs)\/[^/]+\/src\//.test(relative(ROOT, file).split(sep).join('/')) && !file.endsWith('.spec.ts'));

const context = libReport.createContext({ dir: OUT, coverageMap: map, defaultSummarizer: 'nested' });
reports.create('html').execute(context);
reports.create('json-summary').execute(context);

/** Per app and lib: `apps/sync-worker`, `libs/db`, ... */
const groups = new Map();
for (const file of map.files()) {
  const [kind, name] = relative(ROOT, file).split(sep);
  const key = `${kind}/${name}`;
  const summary = groups.get(key) ?? libCoverage.createCoverageSummary();
  summary.merge(map.fileCoverageFor(file).toSummary());
  groups.set(key, summary);
}
const total = libCoverage.createCoverageSummary();
const rows = [...groups.entries()].sort(([a], [b]) => a.localeCompare(b));
const failures = [];
console.log(`\n${'app or lib'.padEnd(24)} ${'lines'.padStart(8)} ${'branches'.padStart(9)}`);
for (const [key, summary] of rows) {
  total.merge(summary);
  console.log(`${key.padEnd(24)} ${`${summary.lines.pct}%`.padStart(8)} ${`${summary.branches.pct}%`.padStart(9)}`);
  if (summary.lines.pct < minimum.lines) failures.push(`${key}: lines ${summary.lines.pct}% < ${minimum.lines}%`);
  if (summary.branches.pct < minimum.branches) failures.push(`${key}: branches ${summary.branches.pct}% < ${minimum.branches}%`);
}
console.log(`${'all'.padEnd(24)} ${`${total.lines.pct}%`.padStart(8)} ${`${total.branches.pct}%`.padStart(9)}`);
console.log(`HTML report: ${join(OUT, 'index.html')}`);
if (failures.length > 0) {
  console.error(`\nCoverage below the thresholds:\n  ${failures.join('\n  ')}`);
  process.exit(1);
}
