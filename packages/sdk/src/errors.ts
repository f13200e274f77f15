/** RFC 9457 problem details, the shape of every error answer of the API. */
export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  errors?: { field: string; reason: string }[];
  requestId?: string;
  retryAfterSeconds?: number;
  [extension: string]: unknown;
}

/** The API refused or failed a request: the HTTP status and its problem details. */
export class StatusyncError extends Error {
  override readonly name = 'StatusyncError';

  constructor(
    readonly status: number,
    readonly problem: ProblemDetails,
  ) {
    super(problem.detail || problem.title || `HTTP ${status}`);
  }

  /** The `type` URI's last segment, e.g. `validation`, `not-found`, `too-many-requests`. */
  get kind(): string {
    return this.problem.type.split('/').pop() ?? '';
  }

  /** The reasons given per field (400s and some 422s). */
  get fieldErrors(): { field: string; reason: string }[] {
    return this.problem.errors ?? [];
  }
}

/** Builds the error for a non-2xx answer, whatever its body (a proxy's HTML page gets a synthetic problem). */
export function errorFrom(response: Response, body: unknown): StatusyncError {
  if (body && typeof body === 'object' && typeof (body as ProblemDetails).status === 'number') return new StatusyncError(response.status, body as ProblemDetails);
  const text = typeof body === 'string' ? body.slice(0, 200) : '';
  return new StatusyncError(response.status, { type: 'about:blank', title: response.statusText || `HTTP ${response.status}`, status: response.status, detail: text || `HTTP ${response.status}` });
}
