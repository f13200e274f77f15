import { FieldProblem } from './problem';

/** What to send when a body's media type is refused. */
export const JSON_ONLY_REASON = 'send the body as JSON with the header Content-Type: application/json';

/**
 * What an error is about when it did not name a field itself: the header, part of the request, or the request
 * as a whole, chosen by status. Keeps `errors` in every problem answer, so clients handle one shape.
 */
export function faultOf(status: number, detail: string): FieldProblem[] {
  const field = FAULT_BY_STATUS[status] ?? (status >= 400 && status < 500 ? 'body' : 'request');
  return [{ field, reason: status === 415 ? JSON_ONLY_REASON : detail }];
}

const FAULT_BY_STATUS: Record<number, string> = {
  401: 'Authorization',
  403: 'Authorization',
  404: 'path',
  405: 'method',
  408: 'request',
  413: 'body',
  414: 'path',
  415: 'Content-Type',
  429: 'request',
  431: 'headers',
};
