/**
 * `npm run fakes`: starts the GitHub and Slack fakes for manual runs, benchmarks and chaos tests.
 *
 *   FAKE_GITHUB_PORT (default 4010)  FAKE_SLACK_PORT (default 4020)
 *   FAKE_LATENCY_MS (default 0)      FAKE_HOST (default 127.0.0.1)
 *
 * Any ghp_/gho_/github_pat_ token and any xoxp- token is accepted. Drive them over HTTP with the
 * /_fake/* control routes (POST /_fake/fail {"mode":"ratelimited"}, GET /_fake/state, ...).
 *
 * Both also play the OAuth web fronts with one app, FAKE_OAUTH_CLIENT_ID / FAKE_OAUTH_CLIENT_SECRET
 * (default statusync-dev / statusync-dev-secret; Slack with token rotation), approved at once by a signed-in
 * person: `octocat` on GitHub, `U0DEVUSER` on Slack (POST /_fake/oauth-login to change).
 */
import { GithubFake } from './github-fake';
import { SlackFake } from './slack-fake';
import { DEFAULT_SLACK_EMOJI } from './slack-state';

/** The workspace's custom emoji, so the README's template example (a Slack override to a custom emoji) applies. */
const CUSTOM_SLACK_EMOJI = ['party-parrot'];

function intFromEnv(name: string, fallback: number): number {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 0) throw new Error(`${name} must be a non-negative integer, got '${raw}'`);
  return value;
}

async function main(): Promise<void> {
  const host = process.env.FAKE_HOST?.trim() || '127.0.0.1';
  const latencyMs = intFromEnv('FAKE_LATENCY_MS', 0);
  const oauthClient = { clientId: process.env.FAKE_OAUTH_CLIENT_ID?.trim() || 'statusync-dev', clientSecret: process.env.FAKE_OAUTH_CLIENT_SECRET?.trim() || 'statusync-dev-secret' };
  const github = await GithubFake.start({ port: intFromEnv('FAKE_GITHUB_PORT', 4010), host, latencyMs, acceptAnyToken: true, oauthClients: [oauthClient] });
  const slack = await SlackFake.start({ port: intFromEnv('FAKE_SLACK_PORT', 4020), host, latencyMs, acceptAnyToken: true, emoji: [...DEFAULT_SLACK_EMOJI, ...CUSTOM_SLACK_EMOJI], oauthClients: [{ ...oauthClient, tokenRotation: true }] });
  github.oauthLoginAs('octocat');
  slack.oauthLoginAs('U0DEVUSER', { name: 'dev' });

  const lines = [
    `GitHub fake: ${github.url}  (POST /graphql, control under /_fake/)`,
    `Slack fake:  ${slack.url}  (POST /api/<method>, control under /_fake/)`,
    `Latency: ${latencyMs} ms. Tokens: any ghp_…/gho_…/github_pat_… (login = rest) and any xoxp-… are accepted.`,
    `Slack's workspace has the standard emoji and the custom ${CUSTOM_SLACK_EMOJI.map((name) => `:${name}:`).join(', ')}; any other status emoji is refused (profile_set_failed).`,
    '',
    'Point the apps at them with:',
    `  GITHUB_GRAPHQL_URL=${github.graphqlUrl}`,
    `  SLACK_API_URL=${slack.apiUrl}`,
    '',
    'and for OAuth connect (approved at once as octocat / U0DEVUSER):',
    `  GITHUB_OAUTH_URL=${github.url} GITHUB_OAUTH_CLIENT_ID=${oauthClient.clientId} GITHUB_OAUTH_CLIENT_SECRET=${oauthClient.clientSecret}`,
    `  SLACK_OAUTH_URL=${slack.url} SLACK_OAUTH_CLIENT_ID=${oauthClient.clientId} SLACK_OAUTH_CLIENT_SECRET=${oauthClient.clientSecret}`,
    '',
    'Press Ctrl+C to stop.',
  ];
  process.stdout.write(`${lines.join('\n')}\n`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: closing fakes\n`);
    Promise.all([github.close(), slack.close()]).then(
      () => process.exit(0),
      (err: unknown) => {
        process.stderr.write(`error while closing fakes: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  // A SIGTERM to npm's own process ends npm and its `sh -c` but not us (as for `npm start`, scripts/stop-when-orphaned.js):
  // once the parent is gone, stop as if signalled, so the ports are not left held.
  const parent = process.ppid;
  setInterval(() => process.ppid !== parent && stop('SIGTERM'), 1_000).unref();
}

main().catch((err: unknown) => {
  process.stderr.write(`fakes failed to start: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
