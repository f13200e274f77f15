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
