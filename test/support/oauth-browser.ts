/**
 * Plays the person's browser in an OAuth flow against the fakes: opens the provider's authorize URL (where the
 * fake's signed-in person approves at once) and reads the redirect back to us without following it.
 */
export interface ProviderRedirect {
  /** Where the provider sent the browser (our callback URL with its query). */
  location: URL;
  code: string | null;
  state: string | null;
  error: string | null;
}

/** `extra` adds query parameters, e.g. the fakes' `login` (GitHub) or `user` (Slack) to pick who approves. */
export async function approveAt(authorizeUrl: string, extra: Record<string, string> = {}): Promise<ProviderRedirect> {
  const url = new URL(authorizeUrl);
  for (const [key, value] of Object.entries(extra)) url.searchParams.set(key, value);
  const res = await fetch(url, { redirect: 'manual' });
  if (res.status !== 302) throw new Error(`the provider did not redirect (HTTP ${res.status}): ${await res.text()}`);
  const location = new URL(res.headers.get('location')!);
  const q = location.searchParams;
  return { location, code: q.get('code'), state: q.get('state'), error: q.get('error') };
}
