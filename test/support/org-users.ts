import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { mintJwt } from './jwt';
import { registerTestUser, TestStack, TestUser } from './stack';

export type OrgRole = 'member' | 'admin';

/** A fresh user of `org` with `role`, whose JWT carries both; connects the platforms named. */
export async function newOrgUser(stack: TestStack, org: string | null, role: OrgRole, connect: ('github' | 'slack')[] = ['github', 'slack']): Promise<TestUser> {
  const registered = registerTestUser(stack, randomBytes(4).toString('hex'));
  const claims = org ? { org_id: org, role } : { role };
  const user = { ...registered, jwt: mintJwt(registered.subject, { claims }) };
  // Seen once by the gateway, so the user exists (in their org) before the test counts rows.
  await stack.api.get('/api/v1/teams', user.jwt);
  for (const platform of connect) {
    const token = platform === 'github' ? user.githubToken : user.slackToken;
    const answer = await stack.api.post('/api/v1/config/platforms', user.jwt, { platform, token });
    if (answer.status !== 201) throw new Error(`connecting ${platform} failed: ${answer.status} ${answer.text}`);
  }
  return user;
}


/** Runs work as the app role in a transaction scoped like UserScope.run, then rolls back. */
export async function asScope<T>(app: Client, scope: { userId: string; orgId: string | null; role: OrgRole }, work: () => Promise<T>): Promise<T> {
  await app.query('BEGIN');
  try {
    await app.query(`SELECT set_config('statusync.user_id', $1, true), set_config('statusync.org_id', $2, true), set_config('statusync.role', $3, true)`, [
      scope.userId,
      scope.orgId ?? '',
      scope.role,
    ]);
    return await work();
  } finally {
    await app.query('ROLLBACK');
  }
}
