import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { GithubFake, GithubFakeOptions } from '../fakes/github-fake';
import { SlackFake, SlackFakeOptions } from '../fakes/slack-fake';
import { ApiClient } from './api-client';
import { dropOwnSchema, migrateOwnSchema } from './own-schema';
import { mintJwt } from './jwt';
import { ServiceName, ServiceProcess, startServices, stackEnv, stopAll } from './services';
import { testDb } from './test-db';
import { E2E, queuePrefixFor } from './test-env';
import { waitFor } from './wait-for';

export interface StackSettings {
  services?: ServiceName[];
  env?: Record<string, string>;
  slackWritesPerMinute?: number;
  /** Extra start options of the fakes (OAuth clients, token lifetimes, ...). */
  fakes?: { github?: GithubFakeOptions; slack?: SlackFakeOptions };
  /**
   * A schema of its own, migrated on start and dropped on stop, for files that must not share rows with the files
   * running alongside: those that act on every row (key rotation), check that a refused request changed nothing
   * anywhere, or run a service that works across users (the scheduler's outbox sweep re-enqueues every stale pending
   * delivery it sees into its own stack's queues, where its worker calls its own fakes; the calendar poller reads
   * every due calendar).
   */
  ownSchema?: boolean;
}

/** Fakes + real services + a client and a database handle: what an e2e file needs. */
export interface TestStack {
  github: GithubFake;
  slack: SlackFake;
  services: Record<string, ServiceProcess>;
  api: ApiClient;
  db: Pool;
  /** The schema the services and `db` use: the run's shared one, or the stack's own. */
  schema: string;
  queuePrefix: string;
  /** The environment the services were started with (to start another one alike). */
  env: Record<string, string>;
  /** Starts (another) service with the stack's environment plus `env`. */
  startService(name: ServiceName, env?: Record<string, string>): Promise<ServiceProcess>;
  stop(): Promise<void>;
}

export async function startStack(label: string, settings: StackSettings = {}): Promise<TestStack> {
  const github = await GithubFake.start(settings.fakes?.github);
  const slack = await SlackFake.start({ profileWritesPerMinute: settings.slackWritesPerMinute ?? 0, ...settings.fakes?.slack });
  const queuePrefix = queuePrefixFor(label);
  const schema = settings.ownSchema ? await migrateOwnSchema(label) : E2E.schema;
  // The fakes also play the providers' OAuth web fronts; OAuth stays off unless a suite sets client ids.
  const env = {
    GITHUB_OAUTH_URL: github.url,
    SLACK_OAUTH_URL: slack.url,
    ...(settings.ownSchema ? { DATABASE_SCHEMA: schema } : {}),
    ...settings.env,
  };
  const options = { githubGraphqlUrl: github.graphqlUrl, slackApiUrl: slack.apiUrl, queuePrefix, env };
  const db = testDb(schema);
  /** What the stack holds besides its services: the fakes, the database handle and its own schema, if any. */
  const release = async () => {
    try {
      if (settings.ownSchema) await dropOwnSchema(db, schema);
    } finally {
      await Promise.all([github.close(), slack.close(), db.end()]);
    }
  };
  const services = await startServices(settings.services ?? ['api-gateway', 'sync-worker'], options).catch(async (error: unknown) => {
    // The suite's afterAll has no stack to stop: release here, or the fakes would hold Jest open.
    await release();
    throw error;
  });
  const extra: ServiceProcess[] = [];
  return {
    github,
    slack,
    services,
    api: new ApiClient(services['api-gateway']?.url ?? ''),
    db,
    schema,
    queuePrefix,
    env: stackEnv(options),
    async startService(name, env = {}) {
      const service = await ServiceProcess.start(name, { ...stackEnv(options), ...env });
      extra.push(service);
      return service;
    },
    async stop() {
      await stopAll({ ...services, ...Object.fromEntries(extra.map((s, i) => [`extra${i}`, s])) });
      await release();
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

/** A fresh identity (subject, JWT, platform accounts and tokens) made known to the fakes. */
export function registerTestUser(fakes: { github: GithubFake; slack: SlackFake }, id: string, subject = `user-${id}`): TestUser {
  const user: TestUser = {
    subject,
    jwt: mintJwt(subject),
    githubLogin: `octo-${id}`,
    githubToken: `ghp_${randomBytes(18).toString('hex')}`,
    slackUserId: `U${id.toUpperCase()}`,
    slackToken: `xoxp-${randomBytes(18).toString('hex')}`,
  };
  fakes.github.addToken(user.githubToken, { login: user.githubLogin });
  fakes.slack.addToken(user.slackToken, { userId: user.slackUserId, name: `slack-${id}` });
  return user;
}

/** A fresh user whose tokens the fakes know; connects the platforms named (both by default) through the API. */
export async function newUser(stack: TestStack, connect: ('github' | 'slack')[] = ['github', 'slack']): Promise<TestUser> {
  const user = registerTestUser(stack, randomBytes(4).toString('hex'));
  for (const platform of connect) {
    const token = platform === 'github' ? user.githubToken : user.slackToken;
    const answer = await stack.api.post('/api/v1/config/platforms', user.jwt, { platform, token });
    if (answer.status !== 201) throw new Error(`connecting ${platform} failed: ${answer.status} ${answer.text}`);
  }
  return user;
}

/** The user's row id (the key of their rows, streams and scope), looked up by their subject. */
export async function userIdOf(stack: TestStack, user: Pick<TestUser, 'subject'>): Promise<string> {
  return (await stack.db.query<{ id: string }>(`SELECT id FROM users WHERE subject = $1`, [user.subject])).rows[0].id;
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
