import { Client, escapeLiteral } from 'pg';

/**
 * Gives the services' login role (`statusync_app`, created by the first migration without a password) the password
 * the deployment chose, so the services can log in as it rather than as the owner (docs/security.md "Hardened").
 * Run by `npm run migrate` as the owner; idempotent, so every deploy may set it again (and so rotate it).
 */
export async function setAppRolePassword(ownerUrl: string, role: string, password: string): Promise<void> {
  const client = new Client({ connectionString: ownerUrl });
  await client.connect();
  try {
    // ALTER ROLE takes no bind parameters: the literal is escaped by pg, the role name is a validated identifier.
    await client.query(`ALTER ROLE "${role}" PASSWORD ${escapeLiteral(password)}`);
  } finally {
    await client.end();
  }
}
