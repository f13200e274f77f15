/**
 * The bearer token lives in sessionStorage: this tab only, gone when it closes, never in a URL or a cookie
 * (so no request can carry it without the page's own script adding the header).
 */
const KEY = 'statusync.token';

export interface TokenClaims {
  sub: string;
  org_id?: string;
  role?: string;
  exp?: number;
}

export const session = {
  token(): string | null {
    return sessionStorage.getItem(KEY);
  },
  save(token: string): void {
    sessionStorage.setItem(KEY, token);
  },
  clear(): void {
    sessionStorage.removeItem(KEY);
  },
};

/** What the token says about its holder, for display only (the gateway checks the signature). */
export function claimsOf(token: string): TokenClaims | null {
  try {
    const payload = token.split('.')[1] ?? '';
    const json = atob(payload.replace(/-/g, '+').replace(/_/g, '/'));
    const claims = JSON.parse(json) as TokenClaims;
    return typeof claims.sub === 'string' ? claims : null;
  } catch {
    return null;
  }
}
