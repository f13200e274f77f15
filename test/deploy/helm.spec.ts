import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { parseAllDocuments } from 'yaml';

const run = promisify(execFile);
const ROOT = join(__dirname, '..', '..');
const CHART = join(ROOT, 'deploy/helm/statusync');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { helmBinary } = require(join(ROOT, 'scripts/helm-binary.js')) as { helmBinary: () => string };

const REQUIRED = {
  'postgres.owner.password': 'owner-pw',
  'postgres.appPassword': 'app pw+/with:odd@chars%',
  'secrets.jwtSecret': 's'.repeat(40),
  'secrets.tokenEncryptionKeys': 'k'.repeat(43) + '=',
  'secrets.metricsToken': 'm'.repeat(24),
};
const APPS = ['api-gateway', 'sync-worker', 'scheduler', 'calendar-poller'];

interface Manifest {
  apiVersion: string;
  kind: string;
  metadata: { name: string; annotations?: Record<string, string> };
  spec?: any;
  stringData?: Record<string, string>;
}

let helm: string;

async function render(values: Record<string, string>): Promise<{ ok: boolean; manifests: Manifest[]; stderr: string }> {
  const sets = Object.entries(values).flatMap(([key, value]) => ['--set-string', `${key}=${value}`]);
  try {
    const { stdout } = await run(helm, ['template', 'sts', CHART, ...sets]);
    const manifests = parseAllDocuments(stdout).map((doc) => doc.toJS() as Manifest).filter(Boolean);
    return { ok: true, manifests, stderr: '' };
  } catch (error) {
    return { ok: false, manifests: [], stderr: (error as { stderr?: string }).stderr ?? String(error) };
  }
}

/** Schema problems of the rendered manifests, from kubernetes-models' Kubernetes OpenAPI schemas. */
function schemaProblems(manifests: Manifest[]): unknown[] {
  const result = spawnSync(process.execPath, [join(__dirname, 'support/validate-k8s.mjs')], { input: JSON.stringify(manifests), encoding: 'utf8', cwd: ROOT });
  if (result.status !== 0) throw new Error(result.stderr);
  return JSON.parse(result.stdout);
}

const byKind = (manifests: Manifest[], kind: string) => manifests.filter((manifest) => manifest.kind === kind);

describe('deploy/helm/statusync', () => {
  beforeAll(() => {
    helm = helmBinary();
  }, 180_000);

  it('passes helm lint', async () => {
    const sets = Object.entries(REQUIRED).flatMap(([key, value]) => ['--set-string', `${key}=${value}`]);
    const { stdout } = await run(helm, ['lint', '--strict', CHART, ...sets]);
    expect(stdout).toContain('0 chart(s) failed');
  }, 60_000);

  it('renders manifests valid against the Kubernetes schemas: a Deployment, Service and PDB per app, the HPA, the migration Job', async () => {
    const { ok, manifests, stderr } = await render(REQUIRED);
    expect(stderr).toBe('');
    expect(ok).toBe(true);
    expect(schemaProblems(manifests)).toEqual([]);
    for (const kind of ['Deployment', 'Service', 'PodDisruptionBudget']) {
      expect(byKind(manifests, kind).map((manifest) => manifest.metadata.name).sort()).toEqual(APPS.map((app) => `sts-statusync-${app}`).sort());
    }
    const [hpa] = byKind(manifests, 'HorizontalPodAutoscaler');
    expect(hpa.spec.scaleTargetRef.name).toBe('sts-statusync-sync-worker');
    const [job] = byKind(manifests, 'Job');
    expect(job.metadata.annotations?.['helm.sh/hook']).toBe('pre-install,pre-upgrade');
    // The Secret the Job reads must exist before it: a hook of lower weight.
    const [secret] = byKind(manifests, 'Secret');
    expect(Number(secret.metadata.annotations?.['helm.sh/hook-weight'])).toBeLessThan(Number(job.metadata.annotations?.['helm.sh/hook-weight']));
  }, 60_000);

  it('the schema check itself refuses a broken manifest and an unknown kind', () => {
    const broken = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'x' }, spec: { template: { spec: { containers: [{ name: 'a', ports: [{ containerPort: 'http' }] }] } } } };
    expect(schemaProblems([broken as Manifest])).toHaveLength(1);
    expect(schemaProblems([{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }])).toHaveLength(1);
  }, 60_000);

  it('has readiness and liveness probes on every app, and scales the worker only through the HPA', async () => {
    const { manifests } = await render(REQUIRED);
    for (const deployment of byKind(manifests, 'Deployment')) {
      const [container] = deployment.spec.template.spec.containers;
      expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
      expect(container.livenessProbe.httpGet.path).toBe('/health/live');
      expect(deployment.spec.template.metadata.annotations['prometheus.io/path']).toBe('/metrics');
      expect(deployment.spec.replicas === undefined).toBe(deployment.metadata.name.endsWith('sync-worker'));
    }
  }, 60_000);

  it('ends every service\'s own shutdown deadline 5 s before the pod\'s grace period, so a stuck stop is logged, not SIGKILLed', async () => {
    const { manifests } = await render({ ...REQUIRED, 'apps.scheduler.terminationGracePeriodSeconds': '60' });
    const deadlines = Object.fromEntries(
      byKind(manifests, 'Deployment').map((deployment) => {
        const pod = deployment.spec.template.spec;
        const env = pod.containers[0].env as { name: string; value?: string }[];
        return [deployment.metadata.name.replace(/^sts-statusync-/, ''), { grace: pod.terminationGracePeriodSeconds, deadline: env.find((e) => e.name === 'SHUTDOWN_TIMEOUT_SECONDS')?.value }];
      }),
    );
    expect(deadlines).toEqual({
      'api-gateway': { grace: 30, deadline: '25' },
      'sync-worker': { grace: 45, deadline: '40' },
      scheduler: { grace: 60, deadline: '55' },
      'calendar-poller': { grace: 30, deadline: '25' },
    });
  }, 60_000);

  it('runs migrations as the owner and the services as statusync_app, passwords URL-encoded in the Secret', async () => {
    const { manifests } = await render(REQUIRED);
    const [secret] = byKind(manifests, 'Secret');
    const app = new URL(secret.stringData!['database-url']);
    expect([app.username, decodeURIComponent(app.password)]).toEqual(['statusync_app', 'app pw+/with:odd@chars%']);
    expect(new URL(secret.stringData!['migration-database-url']).username).toBe('statusync');
    const [job] = byKind(manifests, 'Job');
    const jobEnv = job.spec.template.spec.containers[0].env.map((entry: { name: string }) => entry.name);
    expect(jobEnv).toEqual(expect.arrayContaining(['MIGRATION_DATABASE_URL', 'APP_DATABASE_PASSWORD', 'DATABASE_URL']));
    for (const deployment of byKind(manifests, 'Deployment')) {
      const env = deployment.spec.template.spec.containers[0].env as { name: string; valueFrom?: { secretKeyRef: { key: string } } }[];
      expect(env.find((entry) => entry.name === 'DATABASE_URL')?.valueFrom?.secretKeyRef.key).toBe('database-url');
      expect(env.map((entry) => entry.name)).not.toContain('MIGRATION_DATABASE_URL');
      expect(env.map((entry) => entry.name)).not.toContain('APP_DATABASE_PASSWORD');
    }
  }, 60_000);

  it('adds the queue-depth metric to the HPA when an adapter is declared, and stays schema-valid', async () => {
    const { manifests } = await render({ ...REQUIRED, 'autoscaling.syncWorker.queueDepth.enabled': 'true' });
    const [hpa] = byKind(manifests, 'HorizontalPodAutoscaler');
    expect(hpa.spec.metrics.map((metric: { type: string }) => metric.type)).toEqual(['Resource', 'External']);
    expect(schemaProblems(manifests)).toEqual([]);
  }, 60_000);

  it('refuses to render without the keys and passwords, naming the value', async () => {
    const missing = await render(Object.fromEntries(Object.entries(REQUIRED).filter(([key]) => key !== 'secrets.tokenEncryptionKeys')));
    expect(missing.ok).toBe(false);
    expect(missing.stderr).toContain('secrets.tokenEncryptionKeys is required');
    // With an existing Secret the chart asks for none of them.
    const existing = await render({ 'secrets.existingSecret': 'mine' });
    expect(existing.ok).toBe(true);
    expect(byKind(existing.manifests, 'Secret')).toEqual([]);
    expect(schemaProblems(existing.manifests)).toEqual([]);
  }, 60_000);
});
