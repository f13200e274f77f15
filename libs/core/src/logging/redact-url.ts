/** Query parameters that carry one-time secrets (the OAuth callback's `code` and `state`) or tokens. */
const SECRET_PARAMS = new Set(['code', 'state', 'code_verifier', 'token', 'access_token', 'refresh_token', 'client_secret']);

/**
 * A request URL fit for the log: the values of secret-bearing query parameters are replaced. A used OAuth code is
 * worthless, but a log is the wrong place to find out which ones were not used yet.
 */
export function redactUrl(url: string): string {
  const q = url.indexOf('?');
  if (q < 0) return url;
  const params = new URLSearchParams(url.slice(q + 1));
  let changed = false;
  for (const key of new Set(params.keys())) {
    if (SECRET_PARAMS.has(key.toLowerCase())) {
      params.set(key, 'redacted');
      changed = true;
    }
  }
  return changed ? `${url.slice(0, q)}?${params.toString()}` : url;
}
