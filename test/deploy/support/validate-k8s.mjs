// Validates Kubernetes manifests (a JSON array on stdin) against the API's OpenAPI schemas shipped by the
// kubernetes-models package (ESM only, hence a child process rather than an import from Jest). Prints a JSON array
// of { kind, name, error } for each manifest that fails, or names an unknown apiVersion/kind.
import * as core from 'kubernetes-models/v1';
import * as apps from 'kubernetes-models/apps/v1';
import * as batch from 'kubernetes-models/batch/v1';
import * as policy from 'kubernetes-models/policy/v1';
import * as autoscaling from 'kubernetes-models/autoscaling/v2';

const GROUPS = { v1: core, 'apps/v1': apps, 'batch/v1': batch, 'policy/v1': policy, 'autoscaling/v2': autoscaling };
let input = '';
for await (const chunk of process.stdin) input += chunk;
const problems = [];
for (const manifest of JSON.parse(input)) {
  const name = manifest?.metadata?.name;
  const Model = GROUPS[manifest?.apiVersion]?.[manifest?.kind];
  if (!Model) {
    problems.push({ kind: manifest?.kind, name, error: `no schema for ${manifest?.apiVersion} ${manifest?.kind}` });
    continue;
  }
  try {
    new Model(manifest).validate();
  } catch (error) {
    problems.push({ kind: manifest.kind, name, error: error.message });
  }
}
process.stdout.write(JSON.stringify(problems));
