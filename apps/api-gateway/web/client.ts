import { createStatusyncClient, StatusyncError, type StatusyncClient } from '@statusync/sdk';
import { session } from './session.js';

/** The SDK against this gateway with a given token (signing in checks a token before keeping it). */
export const clientWith = (token: string | (() => string)): StatusyncClient => createStatusyncClient({ baseUrl: window.location.origin, token });

/** The page's client: the session's token, read per request. */
export const client = clientWith(() => session.token() ?? '');

/** An error in a person's words: the problem's detail, then each field's reason. */
export function describeError(error: unknown): string {
  if (!(error instanceof StatusyncError)) return error instanceof Error ? error.message : String(error);
  const reasons = error.fieldErrors.map((entry) => `${entry.field}: ${entry.reason}`).join('; ');
  return [error.message, reasons].filter((part) => part).join(' — ');
}

/** Whether the API answered this status (401: the token was refused; 404: no such route here). */
export const answered = (error: unknown, status: number): boolean => error instanceof StatusyncError && error.status === status;
