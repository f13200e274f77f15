#!/usr/bin/env node
// Part of `npm run build`: copies the web page's HTML and CSS beside its compiled scripts
// (apps/api-gateway/web → dist/apps/api-gateway/web), where the gateway serves them at /app.
const { copyFileSync, mkdirSync, readdirSync } = require('node:fs');
const { join } = require('node:path');

const source = join(__dirname, '..', 'apps', 'api-gateway', 'web');
const target = join(__dirname, '..', 'dist', 'apps', 'api-gateway', 'web');
mkdirSync(target, { recursive: true });
for (const file of readdirSync(source)) {
  if (/\.(html|css|svg)$/.test(file)) copyFileSync(join(source, file), join(target, file));
}
