import type { OpenAPIObject } from '@nestjs/swagger';

const PLACEHOLDER = /^<timestamp ([+-]\d+)h>$/;

/**
 * An example timestamp `hours` from whenever the document is fetched. A fixed date in an example goes stale (and
 * "Try it out" then gets a 400 for a past `expiresAt`), so examples carry this placeholder and every request for
 * the document gets real timestamps (see withCurrentTimestamps).
 */
export const timestampExample = (hours: number): string => `<timestamp ${hours >= 0 ? '+' : ''}${hours}h>`;

/** The document with every timestamp placeholder replaced by a real time, on the hour, relative to now. */
export function withCurrentTimestamps(document: OpenAPIObject, now = new Date()): OpenAPIObject {
  const hour = new Date(now);
  hour.setUTCMinutes(0, 0, 0);
  return JSON.parse(JSON.stringify(document), (_key, value: unknown) => {
    const match = typeof value === 'string' ? PLACEHOLDER.exec(value) : null;
    return match ? new Date(hour.getTime() + Number(match[1]) * 3_600_000).toISOString().replace('.000Z', 'Z') : value;
  }) as OpenAPIObject;
}
