import { mintJwt } from '../support/jwt';
import { startStack, TestStack } from '../support/stack';

const QUEUES = '/admin/queues/api/queues?page=1';
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

/** Bull Board for org admins (JWT `role: admin`) or the operator's basic credential (issue 11). */
describe('Bull Board access', () => {
  let stack: TestStack;

  beforeAll(async () => {
    stack = await startStack('board', { services: ['api-gateway'], env: { BULL_BOARD_PASSWORD: 'operator-secret' } });
  }, 60_000);

  afterAll(() => stack?.stop());

  const get = (path: string, authorization?: string) => stack.api.request('GET', path, { headers: authorization ? { authorization } : {} });

  it('lets an org admin in with their JWT, listing its queues', async () => {
    const admin = mintJwt('board-admin', { claims: { org_id: 'acme', role: 'admin' } });
    const board = await get(QUEUES, `Bearer ${admin}`);
    expect(board.status).toBe(200);
    expect(board.body.queues.map((queue: { name: string }) => queue.name).sort()).toEqual(['status-sync-github', 'status-sync-slack', 'webhook-delivery']);
    expect((await get('/admin/queues', `Bearer ${admin}`)).status).toBe(200);
  });

  it('still lets the operator in with the basic credential', async () => {
    expect((await get(QUEUES, basic('admin', 'operator-secret'))).status).toBe(200);
  });

  it('refuses a member with 403 and names the role', async () => {
    const member = mintJwt('board-member', { claims: { org_id: 'acme', role: 'member' } });
    const refused = await get(QUEUES, `Bearer ${member}`);
    expect(refused.status).toBe(403);
    expect(refused.headers.get('content-type')).toContain('application/problem+json');
    expect(refused.body).toMatchObject({ status: 403, errors: [{ field: 'Authorization', reason: "token role must be 'admin'" }] });
  });

  it.each([
    ['no credential', undefined, 'is required'],
    ['a forged admin token', `Bearer ${mintJwt('forger', { claims: { role: 'admin' }, secret: 'x'.repeat(40) })}`, 'is not an accepted credential'],
    ['an expired admin token', `Bearer ${mintJwt('late', { claims: { role: 'admin' }, expiresIn: -120 })}`, 'is not an accepted credential'],
    ['a wrong password', basic('admin', 'guess'), 'is not an accepted credential'],
  ])('answers %s with a problem-details 401 asking for basic auth', async (_label, authorization, reason) => {
    const refused = await get(QUEUES, authorization);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toMatch(/^Basic /);
    expect(refused.body).toMatchObject({ status: 401, errors: [{ field: 'Authorization', reason }] });
    expect(refused.text).not.toContain('status-sync-github');
  });
});
