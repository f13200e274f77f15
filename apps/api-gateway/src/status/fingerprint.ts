import { createHash } from 'node:crypto';

/** Key-order-independent JSON, so `{a,b}` and `{b,a}` are the same request. */
function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (value && typeof value === 'object') {
    return Object.fromEntries(
      Object.keys(value)
        .sort()
        .map((key) => [key, canonical((value as Record<string, unknown>)[key])]),
    );
  }
  return value;
}

export const fingerprintOf = (value: unknown): string => createHash('sha256').update(JSON.stringify(canonical(value) ?? null)).digest('hex');
