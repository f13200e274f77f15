import { graphql } from '@octokit/graphql';
import { PlatformAccount, PlatformAdapter, PlatformStatusReading, StatusToApply } from '../platform-adapter';
import { githubEmoji } from '../emoji';
import { createPlatformFetch } from '../http/platform-fetch';
import { PlatformAuthError } from '../platform-errors';
import { toGithubError } from './github-errors';
import { GITHUB_LIMITS } from './github.limits';
import { CHANGE_USER_STATUS_MUTATION, ChangeUserStatusInput, GithubUserStatus, VIEWER_QUERY, VIEWER_STATUS_QUERY } from './github.queries';

type ChangeUserStatusAnswer = { changeUserStatus: { status: GithubUserStatus | null } | null };

export interface GithubAdapterOptions {
  /** Full GraphQL endpoint, e.g. https://api.github.com/graphql. */
  graphqlUrl: string;
  timeoutMs: number;
}

/** GitHub user status through the GraphQL API (`changeUserStatus`). Needs a classic token with the `user` scope. */
export class GithubAdapter implements PlatformAdapter {
  readonly platform = 'github';
  readonly limits = GITHUB_LIMITS;

  /** One client with the endpoint and user agent; the token and the timeout go with each call (docs/decisions.md §35). */
  private readonly client: typeof graphql;

  constructor(private readonly options: GithubAdapterOptions) {
    // `url` must be a default: @octokit/graphql refuses it among per-call options.
    this.client = graphql.defaults({ url: options.graphqlUrl, headers: { 'user-agent': 'statusync' }, request: { fetch: createPlatformFetch() } });
  }

  async verify(token: string): Promise<PlatformAccount> {
    const { viewer } = await this.call<{ viewer: { login: string; databaseId: number | null } }>(token, VIEWER_QUERY);
    if (!viewer?.login) throw new PlatformAuthError('github', 'no_viewer', 'GitHub did not say whose token this is');
    return { accountId: String(viewer.databaseId ?? viewer.login), accountName: viewer.login };
  }

  async setStatus(token: string, status: StatusToApply): Promise<PlatformStatusReading> {
    const input: ChangeUserStatusInput = { limitedAvailability: status.limitedAvailability };
    // GitHub's own name for the emoji (Slack names some differently), or Unicode where GitHub has no name.
    if (status.emoji) input.emoji = githubEmoji(status.emoji);
    if (status.message) input.message = status.message;
    if (status.expiresAt) input.expiresAt = status.expiresAt.toISOString();
    return this.changeStatus(token, input);
  }

  /** An input without message or emoji clears the status on GitHub. */
  async clearStatus(token: string): Promise<PlatformStatusReading> {
    return this.changeStatus(token, {});
  }

  async readStatus(token: string): Promise<PlatformStatusReading> {
    const answer = await this.call<{ viewer: { status: GithubUserStatus | null } | null }>(token, VIEWER_STATUS_QUERY);
    return readingOf(answer.viewer?.status ?? null);
  }

  /** GitHub answers the mutation with the status it now shows: that is the receipt. */
  private async changeStatus(token: string, input: ChangeUserStatusInput): Promise<PlatformStatusReading> {
    const answer = await this.call<ChangeUserStatusAnswer>(token, CHANGE_USER_STATUS_MUTATION, { input });
    return readingOf(answer.changeUserStatus?.status ?? null);
  }

  private async call<T>(token: string, query: string, variables: Record<string, unknown> = {}): Promise<T> {
    try {
      return await this.client<T>(query, {
        ...variables,
        headers: { authorization: `token ${token}` },
        request: { signal: AbortSignal.timeout(this.options.timeoutMs) },
      });
    } catch (error) {
      throw toGithubError(error);
    }
  }
}

/** An empty status (GitHub may answer one after a clear) reads as nothing shown. */
function readingOf(status: GithubUserStatus | null): PlatformStatusReading {
  return {
    emoji: status?.emoji || null,
    message: status?.message || null,
    expiresAt: status?.expiresAt ? new Date(status.expiresAt) : null,
  };
}
