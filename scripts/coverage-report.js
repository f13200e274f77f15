// Coverage of one test run, merged across processes and reported per app and lib (used by scripts/test.js).
// Two sources: Jest's own coverage (V8 provider) of the code the tests load in-process, and the V8 coverage every
// other Node process of ours wrote when it exited (the built services the e2e, fuzz and chaos tiers start as real
// processes, through scripts/coverage-preload.js: only our build's scripts, in NODE_V8_COVERAGE's format). c8 maps
// the latter through the build's source maps (the .map files next to the scripts) back to the TypeScript; istanbul
// merges both.
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } = require('node:fs');
const { join, relative, sep } = require('node:path');
const { pathToFileURL } = require('node:url');
const libCoverage = require('istanbul-lib-coverage');
const libReport = require('istanbul-lib-report');
const reports = require('istanbul-reports');

const ROOT = join(__dirname, '..');
const OUT = join(ROOT, 'coverage');
const paths = { raw: join(OUT, 'v8'), ours: join(OUT, 'v8-ours'), jest: join(OUT, 'jest'), services: join(OUT, 'services') };
const OUR_BUILD = ['apps', 'libs'].map((dir) => `${pathToFileURL(join(ROOT, 'dist', dir)).href}/`);

function freshDirectories() {
  rmSync(OUT, { recursive: true, force: true });
  mkdirSync(paths.raw, { recursive: true });
}

/**
 * Keeps only our built apps and libs from each process's raw V8 file. The preload already writes only those; a
 * dump NODE_V8_COVERAGE wrote (everything the process loaded, node_modules being over 90 % of it, about 13 MB a
 * service) is cut down the same way, so c8 never reads and merges what its --include would drop again.
 */
function keepOurScripts() {
  mkdirSync(paths.ours, { recursive: true });
  let rawBytes = 0;
  let keptBytes = 0;
  let unreadable = 0;
  const files = readdirSync(paths.raw).filter((name) => name.endsWith('.json'));
  for (const name of files) {
    const file = join(paths.raw, name);
    rawBytes += statSync(file).size;
    let dump;
    try {
      dump = JSON.parse(readFileSync(file, 'utf8'));
    } catch {
      // A process killed while writing its dump (the chaos tier kills workers): what it ran is lost, as if SIGKILLed.
      unreadable++;
      continue;
    }
    const ours = (url) => OUR_BUILD.some((prefix) => url.startsWith(prefix));
    const result = dump.result.filter((script) => ours(script.url));
    if (result.length === 0) continue;
    const sourceMaps = Object.fromEntries(Object.entries(dump['source-map-cache'] ?? {}).filter(([url]) => ours(url)));
    const kept = JSON.stringify({ result, 'source-map-cache': sourceMaps });
    keptBytes += kept.length;
    writeFileSync(join(paths.ours, name), kept);
  }
  // The raw dumps are gigabytes after a full run; what they held of ours is in v8-ours.
  rmSync(paths.raw, { recursive: true, force: true });
  return { processes: files.length, unreadable, rawBytes, keptBytes };
}

function servicesToIstanbul() {
  const c8 = join(ROOT, 'node_modules', '.bin', 'c8');
  // --exclude-after-remap: drop the specs only once the build's paths are mapped back to the TypeScript.
  const args = ['report', '--temp-directory', paths.ours, '--report-dir', paths.services, '--reporter=json', '--exclude', '**/*.spec.*', '--exclude-after-remap'];
  execFileSync(c8, args, { cwd: ROOT, stdio: 'inherit' });
}

/** Every coverage-final.json under paths.jest: each Jest process of the run writes its own (scripts/test.js). */
function jestReports() {
  if (!existsSync(paths.jest)) return [];
  return readdirSync(paths.jest, { recursive: true })
    .filter((name) => String(name).endsWith('coverage-final.json'))
    .map((name) => join(paths.jest, String(name)));
}

function mergedMap() {
  const map = libCoverage.createCoverageMap({});
  for (const file of [...jestReports(), join(paths.services, 'coverage-final.json')]) {
    if (existsSync(file)) map.merge(JSON.parse(readFileSync(file, 'utf8')));
  }
  // Only our sources (the in-process run also saw test helpers and fakes), and only those with code to run.
  map.filter((file) => /^(apps|libs)\/[^/]+\/src\//.test(relative(ROOT, file).split(sep).join('/')) && !file.endsWith('.spec.ts') && hasRuntimeCode(file));
  return map;
}

/**
 * False for a file of types only (interfaces, type aliases): its build maps nothing back to it. Node never loads
 * such a module, so V8 would report every one of its lines as unrun, though none can run.
 */
function hasRuntimeCode(file) {
  const sourceMap = join(ROOT, 'dist', relative(ROOT, file).replace(/\.ts$/, '.js.map'));
  if (!existsSync(sourceMap)) return true;
  return JSON.parse(readFileSync(sourceMap, 'utf8')).mappings.replace(/;/g, '') !== '';
}

/** `apps/sync-worker`, `libs/db`, ... → summary. */
function summariesByPackage(map) {
  const groups = new Map();
  for (const file of map.files()) {
    const [kind, name] = relative(ROOT, file).split(sep);
    const key = `${kind}/${name}`;
    const summary = groups.get(key) ?? libCoverage.createCoverageSummary();
    summary.merge(map.fileCoverageFor(file).toSummary());
    groups.set(key, summary);
  }
  const total = libCoverage.createCoverageSummary();
  for (const summary of groups.values()) total.merge(summary);
  return { rows: [...groups.entries()].sort(([a], [b]) => a.localeCompare(b)), total };
}

/** Lines and branches each app or lib must keep (coverage.config.js); `all` is the whole. */
function belowFloors(rows, total, floors) {
  const failures = [];
  for (const [key, summary] of [...rows, ['all', total]]) {
    const floor = floors[key];
    if (!floor) {
      if (key !== 'all') failures.push(`${key}: no floor in coverage.config.js (every app and lib needs one)`);
      continue;
    }
    if (summary.lines.pct < floor.lines) failures.push(`${key}: lines ${summary.lines.pct}% < ${floor.lines}%`);
    if (summary.branches.pct < floor.branches) failures.push(`${key}: branches ${summary.branches.pct}% < ${floor.branches}%`);
  }
  return failures;
}

function printTable(rows, total, config) {
  const cell = (text, width) => String(text).padStart(width);
  const floorOf = (key) => config.floors[key];
  console.log(`\n${'app or lib'.padEnd(24)}${cell('lines', 9)}${cell('floor', 7)}${cell('branches', 10)}${cell('floor', 7)}`);
  for (const [key, summary] of [...rows, ['all', total]]) {
    const floor = floorOf(key);
    console.log(
      `${key.padEnd(24)}${cell(`${summary.lines.pct}%`, 9)}${cell(floor ? `${floor.lines}%` : '-', 7)}${cell(`${summary.branches.pct}%`, 10)}${cell(floor ? `${floor.branches}%` : '-', 7)}`,
    );
  }
  console.log(`Target (issue 11): ${config.target.lines}% lines, ${config.target.branches}% branches per app and lib.`);
  console.log(`HTML report: ${join(OUT, 'index.html')}`);
}

/**
 * Reports the run's coverage; with `enforce` (a whole-suite run), fails below the floors. Returns the exit code.
 */
function reportCoverage({ enforce }) {
  const config = require(join(ROOT, 'coverage.config.js'));
  const started = Date.now();
  const filtered = keepOurScripts();
  const filteredAt = Date.now();
  servicesToIstanbul();
  const map = mergedMap();
  const context = libReport.createContext({ dir: OUT, coverageMap: map, defaultSummarizer: 'nested' });
  reports.create('html').execute(context);
  reports.create('json-summary').execute(context);
  const { rows, total } = summariesByPackage(map);
  printTable(rows, total, config);
  const mb = (bytes) => `${(bytes / 1e6).toFixed(0)} MB`;
  console.log(
    `Coverage report: ${filtered.processes} process dumps (${mb(filtered.rawBytes)}, ${mb(filtered.keptBytes)} of it ours` +
      `${filtered.unreadable ? `, ${filtered.unreadable} unreadable` : ''}), ` +
      `filtered in ${((filteredAt - started) / 1000).toFixed(1)} s, reported in ${((Date.now() - filteredAt) / 1000).toFixed(1)} s.`,
  );
  if (!enforce) return 0;
  const failures = belowFloors(rows, total, config.floors);
  if (failures.length === 0) return 0;
  console.error(`\nCoverage below the floors (coverage.config.js):\n  ${failures.join('\n  ')}`);
  return 1;
}

module.exports = { paths, freshDirectories, reportCoverage };
