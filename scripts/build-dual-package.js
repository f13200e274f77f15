#!/usr/bin/env node
// Builds the package in the current directory twice with tsc: ESM (dist/esm) and CommonJS (dist/cjs), each with a
// package.json naming its module type so Node loads both right. No bundler: tsc is already a dependency.
const { spawnSync } = require('node:child_process');
const { rmSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');

const tsc = require.resolve('typescript/bin/tsc');
const builds = [
  { dir: 'dist/esm', type: 'module', args: ['--module', 'esnext', '--moduleResolution', 'bundler'] },
  { dir: 'dist/cjs', type: 'commonjs', args: ['--module', 'commonjs', '--moduleResolution', 'bundler'] },
];
rmSync('dist', { recursive: true, force: true });
for (const build of builds) {
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.json', '--outDir', build.dir, ...build.args], { stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
  writeFileSync(join(build.dir, 'package.json'), JSON.stringify({ type: build.type }) + '\n');
}
