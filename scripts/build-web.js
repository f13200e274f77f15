#!/usr/bin/env node
// Part of `npm run build`: the web page at /app. esbuild bundles apps/api-gateway/web/main.ts with the SDK it
// uses (@statusync/sdk from its sources, and openapi-fetch) into one browser module, and the HTML, CSS and icon
// are copied beside it in dist/apps/api-gateway/web, where the gateway serves them. Type-checking is tsc's job
// (`npm run typecheck`); esbuild only strips the types.
const { buildSync } = require('esbuild');
const { copyFileSync, mkdirSync, readdirSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const source = join(root, 'apps', 'api-gateway', 'web');
const target = join(root, 'dist', 'apps', 'api-gateway', 'web');
rmSync(target, { recursive: true, force: true });
mkdirSync(target, { recursive: true });
buildSync({
  entryPoints: [join(source, 'main.ts')],
  outfile: join(target, 'main.js'),
  bundle: true,
  format: 'esm',
  platform: 'browser',
  target: 'es2022',
  alias: { '@statusync/sdk': join(root, 'packages', 'sdk', 'src', 'index.ts') },
  tsconfig: join(source, 'tsconfig.json'),
  legalComments: 'none',
  logLevel: 'warning',
});
for (const file of readdirSync(source)) {
  if (/\.(html|css|svg)$/.test(file)) copyFileSync(join(source, file), join(target, file));
}
