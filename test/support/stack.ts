import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { GithubFake } from '../fakes/github-fake';
import { SlackFake } from '../fakes/slack-fake';
import { ApiClient } from './api-client';
import { mintJwt } from './jwt';
import { ServiceName, ServiceProcess, startServices, stackEnv, stopAll } from './services';
import { testDb } from './test-db';
import { queuePrefixFor } from './test-env';
import { waitFor } from './wait-for';

export interface StackSettings {
  services?: ServiceName[];
  env?: Record<string, string>;
  slackWritesPerMinute?: number;
}

/** Fakes + real services + a client and a database handle: what an e2e file needs. */
export interface TestStack {
  github: GithubFake;
  slack: SlackFake;
  services: Record<string, ServiceProcess>;
  api: ApiClient;
  db: Pool;
  queuePrefix: string;
  /** The environment the services were started with (to start another one alike). */
  env: Record<string, string>;
  /** Starts (another) service with the stack's environment plus `env`. */
  startService(name: ServiceName, env?: Record<string, string>): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

export async function startStack(label: string, settings: StackSettings = {}): Promise<TestStack> {
  const github = await GithubFake.start();
  const slack = await SlackFake.start({ profileWritesPerMinute: settings.slackWritesPerMinute ?? 0 });
  const queuePrefix = queuePrefixFor(label);
  const options = { githubGraphqlUrl: github.graphqlUrl, slackApiUrl: slack.apiUrl, queuePrefix, env: settings.env };
  const services = await startServices(settings.services ?? ['api-gateway', 'sync-worker'], options);
  const db = testDb();
  const extra: ServiceProcess[] = [];
  return {
    github,
    slack,
    services,
    api: new ApiClient(services['api-gateway']?.url ?? ''),
    db,
    queuePrefix,
    env: stackEnv(options),
    async startService(name, env = {}) {
      const service = await ServiceProcess.start(name, { ...stackEnv(options), ...env });
      extra.push(service);
      return service;
    },
    async stop() {
      await stopAll({ ...services, ...Object.fromEntries(extra.map((s, i) => [`extra${i}`, s])) });
      await Promise.all([github.close(), slack.close(), db.end()]);
    },
  };
}

export interface TestUser {
  subject: string;
  jwt: string;
  githubLogin: string;
  githubToken: string;
  slackUserId: string;
  slackToken: string;
}

/** A fresh user whose tokens the fakes know; connects the platforms named (both by default) through the API. */
export async function newUser(stack: TestStack, connect: ('github' | 'slack')[] = ['github', 'slack']): Promise<TestUser> {
  const id = randomBytes(4).toString('hex');
  const user: TestUser = {
    subject: `user-${id}`,
    jwt: '',
    githubLogin: `octo-${id}`,
    githubToken: `ghp_${randomBytes(18).toString('hex')}`,
    slackUserId: `U${id.toUpperCase()}`,
    slackToken: `xoxp-${randomBytes(18).toString('hex')}`,
  };
  user.jwt = mintJwt(user.subject);
  stack.github.addToken(user.githubToken, { login: user.githubLogin });
  stack.slack.addToken(user.slackToken, { userId: user.slackUserId, name: `slack-${id}` });
  for (const platform of connect) {
    const token = platform === 'github' ? user.githubToken : user.slackToken;
    const answer = await stack.api.post('/api/v1/config/platforms', user.jwt, { platform, token });
    if (answer.status !== 201) throw new Error(`connecting ${platform} failed: ${answer.status} ${answer.text}`);
  }
  return user;
}

/** Waits until update `id` is final on every platform and returns the GET /status/updates/:id answer. */
export async function settled(stack: TestStack, user: TestUser, id: string, timeoutMs = 15_000) {
  return waitFor(
    async () => {
      const answer = await stack.api.get(`/api/v1/status/updates/${id}`, user.jwt);
      return answer.body?.state && answer.body.state !== 'pending' ? answer.body : undefined;
    },
    `update ${id} to settle`,
    timeoutMs,
    50,
  );
}
