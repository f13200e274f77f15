import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { setAppRolePassword } from '@statusync/db';
import { E2E } from '../support/test-env';

/**
 * `npm run migrate` gives the services' login role its password (Compose and Helm log in as it). Run against a
 * throwaway role, not the shared cluster's statusync_app; the test cluster trusts every login, so this checks
 * the stored password hash, which a password-checking server compares against.
 */
describe('setAppRolePassword', () => {
  const role = `statusync_pw_${randomBytes(4).toString('hex')}`;
  const admin = new Client({ connectionString: E2E.databaseUrl });

  beforeAll(async () => {
    await admin.connect();
    await admin.query(`CREATE ROLE ${role} LOGIN`);
  });

  afterAll(async () => {
    await admin.query(`DROP ROLE IF EXISTS ${role}`);
    await admin.end();
  });

  const storedHash = async () => (await admin.query('SELECT rolpassword FROM pg_authid WHERE rolname = $1', [role])).rows[0].rolpassword as string | null;

  it("sets the role's password, quotes and all, and sets it again idempotently", async () => {
    expect(await storedHash()).toBeNull();
    const password = `it's a "secret"; DROP ROLE ${role}; --`;
    await setAppRolePassword(E2E.databaseUrl, role, password);
    const first = await storedHash();
    expect(first).toMatch(/^SCRAM-SHA-256\$/);
    expect(first).not.toContain('secret');
    await setAppRolePassword(E2E.databaseUrl, role, password);
    expect((await admin.query('SELECT 1 FROM pg_roles WHERE rolname = $1', [role])).rowCount).toBe(1);
  });
});
