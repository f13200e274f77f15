import { graphql } from '@octokit/graphql';
import { PlatformAccount, PlatformAdapter, StatusToApply } from '../platform-adapter';
import { githubEmoji } from '../emoji';
import { PlatformAuthError } from '../platform-errors';
import { toGithubError } from './github-errors';
import { GITHUB_LIMITS } from './github.limits';
import { CHANGE_USER_STATUS_MUTATION, ChangeUserStatusInput, VIEWER_QUERY } from './github.queries';

export interface GithubAdapterOptions {
  /** Full GraphQL endpoint, e.g. https://api.github.com/graphql. */
  graphqlUrl: string;
  timeoutMs: number;
}

/** GitHub user status through the GraphQL API (`changeUserStatus`). Needs a classic token with the `user` scope. */
export class GithubAdapter implements PlatformAdapter {
  readonly platform = 'github';
  readonly limits = GITHUB_LIMITS;

  constructor(private readonly options: GithubAdapterOptions) {}

  async verify(token: string): Promise<PlatformAccount> {
    const { viewer } = await this.call<{ viewer: { login: string; databaseId: number | null } }>(token, VIEWER_QUERY);
    if (!viewer?.login) throw new PlatformAuthError('github', 'no_viewer', 'GitHub did not say whose token this is');
    return { accountId: String(viewer.databaseId ?? viewer.login), accountName: viewer.login };
  }

  async setStatus(token: string, status: StatusToApply): Promise<void> {
    const input: ChangeUserStatusInput = { limitedAvailability: status.limitedAvailability };
    // GitHub's own name for the emoji (Slack names some differently), or Unicode where GitHub has no name.
    if (status.emoji) input.emoji = githubEmoji(status.emoji);
    if (status.message) input.message = status.message;
    if (status.expiresAt) input.expiresAt = status.expiresAt.toISOString();
    await this.call(token, CHANGE_USER_STATUS_MUTATION, { input });
  }

  /** An input without message or emoji clears the status on GitHub. */
  async clearStatus(token: string): Promise<void> {
    await this.call(token, CHANGE_USER_STATUS_MUTATION, { input: {} });
  }

  private async call<T>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    try {
      // `url` must be a default: @octokit/graphql refuses it among per-call options.
      const client = graphql.defaults({
        url: this.options.graphqlUrl,
        headers: { authorization: `token ${token}`, 'user-agent': 'statusync' },
        request: { signal: AbortSignal.timeout(this.options.timeoutMs) },
      });
      return await client<T>(query, variables);
    } catch (error) {
      throw toGithubError(error);
    }
  }
}
