import { Cluster } from 'ioredis';
import { LocalRedisCluster } from '../support/redis-cluster';
import { newUser, settled, startStack, TestStack } from '../support/stack';

/**
 * Issue 10: Redis Cluster. Every service on a local 3-master cluster (REDIS_CLUSTER_NODES) with a {hash tag}
 * prefix: an update is accepted (one pipeline of jobs + live event), applied on both fakes, and the keys really
 * live in the cluster, all in the prefix's slot.
 */
describe('Redis Cluster (3 masters)', () => {
  let cluster: LocalRedisCluster;
  let stack: TestStack;
  const prefix = `{e2e-cluster-${process.pid}}`;

  beforeAll(async () => {
    cluster = await LocalRedisCluster.start();
    stack = await startStack('redis-cluster', {
      services: ['api-gateway', 'sync-worker'],
      env: { REDIS_CLUSTER_NODES: cluster.nodes, QUEUE_PREFIX: prefix, REDIS_URL: 'redis://127.0.0.1:1' },
    });
  }, 90_000);

  afterAll(async () => {
    await stack?.stop();
    await cluster?.stop();
  });

  it('an update is applied on both platforms, and its keys share the prefix slot in the cluster', async () => {
    const user = await newUser(stack);
    const accepted = await stack.api.post('/api/v1/status/update', user.jwt, { emoji: ':satellite:', message: 'Via the cluster' });
    expect(accepted.status).toBe(202);
    const outcome = await settled(stack, user, accepted.body.id);
    expect(outcome.state).toBe('succeeded');
    expect(stack.github.statusOf(user.githubLogin)).toMatchObject({ message: 'Via the cluster' });
    expect(stack.slack.profileOf(user.slackUserId).status_text).toBe('Via the cluster');

    const client = new Cluster(cluster.nodes.split(',').map((node) => ({ host: '127.0.0.1', port: Number(node.split(':')[1]) })));
    try {
      const jobKey = `${prefix}:status-sync-github:${accepted.body.id}.github`;
      expect(await client.exists(jobKey)).toBe(1);
      expect(await client.cluster('KEYSLOT', jobKey)).toBe(await client.cluster('KEYSLOT', `${prefix}:live:user:x`));
    } finally {
      client.disconnect();
    }
  });
});
