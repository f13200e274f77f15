import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

jest.setTimeout(120_000);

/** Typical client calls type-check against the generated types; the wrong ones (`@ts-expect-error`) do not. */
describe('SDK types', () => {
  it('compile typical calls and refuse the wrong ones (type-tests/typical-calls.ts)', () => {
    const tsc = require.resolve('typescript/bin/tsc');
    const result = spawnSync(process.execPath, [tsc, '-p', join(__dirname, '../type-tests/tsconfig.json')], { encoding: 'utf8' });
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });
});
