/**
 * Every document we send to GitHub. They are validated against GitHub's published schema
 * (@octokit/graphql-schema) by the fake in test/fakes and by github.queries.spec.ts.
 * Note the naming trap: the input flag is `limitedAvailability`, the output is `indicatesLimitedAvailability`.
 */
export const VIEWER_QUERY = /* GraphQL */ `
  query Viewer {
    viewer {
      login
      databaseId
    }
  }
`;

/** What the token's user shows now (read-back for drift). */
export const VIEWER_STATUS_QUERY = /* GraphQL */ `
  query ViewerStatus {
    viewer {
      status {
        emoji
        message
        expiresAt
      }
    }
  }
`;

/** GitHub's UserStatus as we read it (from the mutation's answer or VIEWER_STATUS_QUERY). */
export interface GithubUserStatus {
  emoji: string | null;
  message: string | null;
  expiresAt: string | null;
}

export const CHANGE_USER_STATUS_MUTATION = /* GraphQL */ `
  mutation ChangeUserStatus($input: ChangeUserStatusInput!) {
    changeUserStatus(input: $input) {
      status {
        emoji
        message
        indicatesLimitedAvailability
        expiresAt
      }
    }
  }
`;

export interface ChangeUserStatusInput {
  emoji?: string;
  message?: string;
  limitedAvailability?: boolean;
  expiresAt?: string;
}
