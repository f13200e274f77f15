/** Exit codes: scripts can tell a refusal from a failed sync from a usage mistake. */
export const EXIT = {
  ok: 0,
  /** The API refused or failed the request (the message says why). */
  apiError: 1,
  /** Wrong arguments or options. */
  usage: 2,
  /** No API URL or token saved (run `statusync login`). */
  notLoggedIn: 3,
  /** The update was accepted but at least one platform failed. */
  syncFailed: 4,
  /** The API could not be reached. */
  unreachable: 5,
} as const;

export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
  }
}
