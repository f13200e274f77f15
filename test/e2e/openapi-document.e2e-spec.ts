import { readFileSync, writeFileSync } from 'node:fs';
import { precisionFaults } from '../support/openapi-precision';
import { generateSdkTypes, lintOpenApi, SDK_TYPES_FILE } from '../support/openapi-tools';
import { startStack, TestStack } from '../support/stack';

jest.setTimeout(120_000);

/**
 * The document the gateway serves is what the SDK's types are generated from, so both checks run on the real
 * /docs-json. `npm run sdk:types` runs this file with UPDATE_SDK_TYPES=1 to regenerate the types.
 */
describe('OpenAPI document', () => {
  let stack: TestStack;
  let document: unknown;

  beforeAll(async () => {
    stack = await startStack('openapi-document', { services: ['api-gateway'] });
    document = (await stack.api.get('/docs-json')).body;
  });
  afterAll(() => stack?.stop());

  it('lints clean with redocly (recommended rules, see redocly.yaml)', () => {
    const problems = lintOpenApi(document).map((p) => `${p.severity} ${p.ruleId} ${p.location[0]?.pointer ?? ''}: ${p.message}`);
    expect(problems).toEqual([]);
  });

  it('is precise: typed nullables, date-time timestamps, 429 and 202 headers documented', () => {
    expect(precisionFaults(document as Record<string, unknown>)).toEqual([]);
  });

  it('requires a message or an emoji in a status update body', () => {
    const schemas = (document as { components: { schemas: Record<string, { anyOf?: { required: string[] }[] }> } }).components.schemas;
    expect(schemas.StatusUpdateBody.anyOf?.map((branch) => branch.required)).toEqual([['message'], ['emoji']]);
  });

  it('matches the SDK types committed in packages/sdk (run `npm run sdk:types` after changing the API)', () => {
    const generated = generateSdkTypes(document);
    if (process.env.UPDATE_SDK_TYPES === '1') writeFileSync(SDK_TYPES_FILE, generated);
    const committed = readFileSync(SDK_TYPES_FILE, 'utf8');
    expect(committed).toBe(generated);
  });
});
