import { session } from './session.js';

/** An answer that was not 2xx, with the problem details' own words. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

interface Problem {
  detail?: string;
  errors?: { field: string; reason: string }[];
}

function describe(status: number, problem: Problem | null): string {
  const reasons = (problem?.errors ?? []).map((error) => `${error.field}: ${error.reason}`).join('; ');
  return [problem?.detail ?? `HTTP ${status}`, reasons].filter((part) => part).join(' — ');
}

/** Calls the API at /api/v1 with the session's token; JSON in and out. */
export async function api<T>(path: string, init: { method?: string; body?: unknown; token?: string | null } = {}): Promise<T> {
  const token = init.token === undefined ? session.token() : init.token;
  const headers: Record<string, string> = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (init.body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`/api/v1${path}`, {
    method: init.method ?? 'GET',
    headers,
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
    cache: 'no-store',
  });
  const text = await response.text();
  const body = text ? (JSON.parse(text) as unknown) : null;
  if (!response.ok) throw new ApiError(response.status, describe(response.status, body as Problem | null));
  return body as T;
}
