import { ApiResponse } from './api-client';
import { mintJwt } from './jwt';
import { TestStack, TestUser } from './stack';

export const TEMPLATES = '/api/v1/status/templates';

/** The same person with a token that names an org and a role in it. */
export const inOrg = (user: TestUser, orgId: string, role: 'member' | 'admin' = 'member'): TestUser => ({
  ...user,
  jwt: mintJwt(user.subject, { claims: { org_id: orgId, role } }),
});

export const patch = (stack: TestStack, path: string, token: string, body: unknown) => stack.api.request('PATCH', path, { token, body });

/**
 * Everything a templates or /me request could change: every template (any owner, any org), every update and the
 * users' settings. A refused request must leave it exactly as it was.
 */
export async function everything(stack: TestStack): Promise<string> {
  const { rows } = await stack.db.query(
    `SELECT (SELECT coalesce(json_agg(t ORDER BY t.id), '[]') FROM status_templates t) AS templates,
            (SELECT count(*) FROM status_updates) AS updates,
            (SELECT coalesce(json_agg(json_build_array(u.id, u.time_zone, u.working_hours) ORDER BY u.id), '[]') FROM users u) AS users`,
  );
  return JSON.stringify(rows[0]);
}

/** Sends a request that must be refused with `status` naming `field` (when given), and checks nothing changed. */
export async function refusedUnchanged(stack: TestStack, send: () => Promise<ApiResponse>, status: number, field?: string): Promise<ApiResponse> {
  const before = await everything(stack);
  const answer = await send();
  expect({ status: answer.status, body: answer.body }).toMatchObject({ status, body: { status } });
  expect(answer.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  if (field) expect(answer.body.errors.map((e: { field: string }) => e.field)).toContain(field);
  expect(await everything(stack)).toBe(before);
  return answer;
}
