/**
 * Why a calendar could not be read, in words the user sees (`lastError`). `permanent` problems (the link is
 * gone, the answer is not a calendar, too big, not allowed) mark the calendar `broken`; the others (the server
 * is down or slow) are retried with back-off and leave its state alone. Never contains the feed URL.
 */
export class FeedProblem extends Error {
  constructor(
    readonly reason: string,
    readonly permanent: boolean,
  ) {
    super(reason);
    this.name = 'FeedProblem';
  }
}
