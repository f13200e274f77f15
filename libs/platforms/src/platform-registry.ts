import { GithubAdapter } from './github/github.adapter';
import { GITHUB_LIMITS } from './github/github.limits';
import { PlatformAdapter, StatusLimits } from './platform-adapter';
import { SlackAdapter } from './slack/slack.adapter';
import { SLACK_LIMITS } from './slack/slack.limits';

/** Every supported platform id. Stored in the database and in job names: never rename one. */
export const PLATFORMS = ['github', 'slack'] as const;
export type PlatformId = (typeof PLATFORMS)[number];

export const isPlatformId = (value: unknown): value is PlatformId => PLATFORMS.includes(value as PlatformId);

/** Each platform's own limits (a per-platform override may use all of its platform's room). */
export const PLATFORM_LIMITS: Record<PlatformId, StatusLimits> = { github: GITHUB_LIMITS, slack: SLACK_LIMITS };
const LIMITS = PLATFORM_LIMITS;

/** The limits that satisfy every platform at once: what the API validates against. */
export const STRICTEST_LIMITS: StatusLimits = {
  messageMaxLength: Math.min(...Object.values(LIMITS).map((l) => l.messageMaxLength)),
  emojiShortcodeOnly: Object.values(LIMITS).some((l) => l.emojiShortcodeOnly),
};

export interface PlatformEndpoints {
  githubGraphqlUrl: string;
  slackApiUrl: string;
  timeoutMs: number;
}

export class UnknownPlatformError extends Error {
  constructor(platform: string) {
    super(`Unknown platform ${platform}`);
  }
}

/** Resolves the adapter for a platform id; throws on an unknown one. */
export class PlatformRegistry {
  private readonly adapters: Map<string, PlatformAdapter>;

  constructor(adapters: PlatformAdapter[]) {
    this.adapters = new Map(adapters.map((adapter) => [adapter.platform, adapter]));
  }

  static fromEndpoints(endpoints: PlatformEndpoints): PlatformRegistry {
    return new PlatformRegistry([
      new GithubAdapter({ graphqlUrl: endpoints.githubGraphqlUrl, timeoutMs: endpoints.timeoutMs }),
      new SlackAdapter({ apiUrl: endpoints.slackApiUrl, timeoutMs: endpoints.timeoutMs }),
    ]);
  }

  get(platform: string): PlatformAdapter {
    const adapter = this.adapters.get(platform);
    if (!adapter) throw new UnknownPlatformError(platform);
    return adapter;
  }
}
