/** Local platform fakes (GitHub GraphQL, Slack Web API) for unit, e2e, chaos and benchmark runs. */
export { GithubFake, GITHUB_FAILURE_MODES } from './github-fake';
export type { GithubFailureMode, GithubFailureOptions, GithubFakeOptions, GithubRequestRecord, GithubStatus, GithubStatusInput, GithubUser } from './github-fake';
export type { GithubOAuthClient, GithubOAuthRecord } from './github-oauth';
export { SlackFake, SLACK_FAILURE_MODES, DEFAULT_SLACK_EMOJI } from './slack-fake';
export type { SlackFailureMode, SlackFailureOptions, SlackFakeOptions, SlackRequestRecord, SlackStatus, SlackUser } from './slack-fake';
export type { SlackOAuthClient, SlackOAuthRecord } from './slack-oauth';
export type { SlackMethod, SlackTokenMethod, SlackPublicMethod, SlackCallContext, SlackMethodResult } from './slack-methods';
export { FakeHttpServer, HANG } from './http-helpers';
export type { FakeRoute, FakeRequest, FakeReply } from './http-helpers';
