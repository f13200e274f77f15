import { GithubOAuthProvider } from './github/github.oauth';
import { OAuthProvider } from './oauth-provider';
import { PlatformRegistry } from './platform-registry';
import { SlackOAuthProvider } from './slack/slack.oauth';

/** A platform's OAuth app: its web front and our client credentials (null = OAuth not offered). */
export interface OAuthAppSettings {
  url: string;
  client: { id: string; secret: string } | null;
}

export interface OAuthRegistrySettings {
  github: OAuthAppSettings;
  slack: OAuthAppSettings;
  /** Slack's oauth.v2.access is a Web API method, reached through the Web API base. */
  slackApiUrl: string;
  timeoutMs: number;
}

/**
 * The OAuth providers that are configured. A platform whose client id and secret are not set has none, so
 * self-hosters who paste tokens need no OAuth app at all.
 */
export class OAuthProviderRegistry {
  private readonly providers: Map<string, OAuthProvider>;

  constructor(providers: OAuthProvider[]) {
    this.providers = new Map(providers.map((provider) => [provider.platform, provider]));
  }

  /** Accounts are resolved with the platform adapters, so an OAuth connection shows the same name as a pasted token. */
  static fromSettings(settings: OAuthRegistrySettings, platforms: PlatformRegistry): OAuthProviderRegistry {
    const providers: OAuthProvider[] = [];
    const { github, slack, timeoutMs } = settings;
    if (github.client) {
      providers.push(new GithubOAuthProvider({ url: github.url, clientId: github.client.id, clientSecret: github.client.secret, timeoutMs }, platforms.get('github')));
    }
    if (slack.client) {
      providers.push(
        new SlackOAuthProvider(
          // dnd:write is optional (focus time may snooze notifications, docs/decisions.md §31): a grant without it connects.
          { url: slack.url, apiUrl: settings.slackApiUrl, clientId: slack.client.id, clientSecret: slack.client.secret, timeoutMs, extraUserScopes: ['dnd:write'] },
          platforms.get('slack'),
        ),
      );
    }
    return new OAuthProviderRegistry(providers);
  }

  /** The platform's provider, or null when its OAuth app is not configured. */
  find(platform: string): OAuthProvider | null {
    return this.providers.get(platform) ?? null;
  }
}
