/**
 * Pieces the GitHub and Slack OAuth fakes share: reading the parameters of a token request (query,
 * form or JSON body), HTTP Basic client credentials, PKCE S256, one-time codes and redirects.
 */
import { createHash, randomBytes } from 'node:crypto';
import { IncomingHttpHeaders } from 'node:http';
import { FakeReply, FakeRequest, isPlainObject, mediaType } from './http-helpers';

/** A code or token nobody can guess, with a readable prefix. */
export const randomSecret = (prefix: string, bytes = 20) => `${prefix}${randomBytes(bytes).toString('hex')}`;

/** Parameters from the query string, overridden by a form or JSON body (string values only). */
export function requestParams(req: FakeRequest): Record<string, string> {
  const params: Record<string, string> = Object.fromEntries(req.query);
  const text = req.body.toString('utf8');
  if (text.trim() === '') return params;
  const type = mediaType(req.headers);
  if (type === 'application/json') {
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      return params;
    }
    if (isPlainObject(json)) {
      for (const [key, value] of Object.entries(json)) if (typeof value === 'string') params[key] = value;
    }
    return params;
  }
  for (const [key, value] of new URLSearchParams(text)) params[key] = value;
  return params;
}

/** `Authorization: Basic base64(id:secret)` as OAuth clients send it (RFC 6749 §2.3.1), else null. */
export function basicCredentials(headers: IncomingHttpHeaders): { clientId: string; clientSecret: string } | null {
  const match = /^basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(headers.authorization ?? '');
  if (!match) return null;
  const decoded = Buffer.from(match[1], 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 0) return null;
  return { clientId: decodeURIComponent(decoded.slice(0, colon)), clientSecret: decodeURIComponent(decoded.slice(colon + 1)) };
}

/** RFC 7636 S256: base64url(sha256(verifier)). */
export const s256 = (verifier: string) => createHash('sha256').update(verifier, 'ascii').digest('base64url');

/** RFC 7636 §4.1: 43-128 characters of [A-Za-z0-9-._~]. */
export const isValidCodeVerifier = (verifier: string) => /^[A-Za-z0-9\-._~]{43,128}$/.test(verifier);

/** 302 to `target` with extra query parameters (existing ones kept). */
export function redirectTo(target: string, params: Record<string, string | undefined>): FakeReply {
  const url = new URL(target);
  for (const [key, value] of Object.entries(params)) if (value !== undefined) url.searchParams.set(key, value);
  return { status: 302, headers: { location: url.toString() }, text: '' };
}

/** An absolute http(s) URL, or null. */
export function parseHttpUrl(value: string | undefined): URL | null {
  if (!value) return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url : null;
  } catch {
    return null;
  }
}

/** GitHub's and Slack's rule for redirect URLs: same scheme, host and port, and a path at or below the registered one. */
export function isUnder(candidate: string, registered: string): boolean {
  const url = parseHttpUrl(candidate);
  const base = parseHttpUrl(registered);
  if (!url || !base || url.origin !== base.origin) return false;
  const basePath = base.pathname.endsWith('/') ? base.pathname : `${base.pathname}/`;
  return url.pathname === base.pathname || url.pathname.startsWith(basePath);
}

/** What a provider shows a person in the browser when the request itself is broken (no redirect). */
export const errorPage = (status: number, message: string): FakeReply => ({
  status,
  headers: { 'content-type': 'text/html; charset=utf-8' },
  text: `<html><body><h1>OAuth error</h1><p>${message.replace(/[<>&]/g, '')}</p></body></html>`,
});

/** A code the fake handed out on an authorize redirect; single use, short-lived. */
export interface IssuedCode {
  code: string;
  clientId: string;
  /** redirect_uri as sent to authorize (undefined when none was sent). */
  redirectUri: string | undefined;
  expiresAtMs: number;
  used: boolean;
}

/** An OAuth client (app) the fake knows. */
export interface FakeOAuthClient {
  clientId: string;
  clientSecret: string;
}

/** Resolves the client credentials of a token request: Basic auth first, then the body. */
export function clientCredentials(headers: IncomingHttpHeaders, params: Record<string, string>): { clientId: string | undefined; clientSecret: string | undefined } {
  const basic = basicCredentials(headers);
  if (basic) return basic;
  return { clientId: params.client_id, clientSecret: params.client_secret };
}
