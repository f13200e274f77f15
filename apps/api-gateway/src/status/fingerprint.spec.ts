import { fingerprintOf } from './fingerprint';

const request = {
  route: 'update',
  body: { emoji: ':coffee:', message: 'Coffee', limitedAvailability: true, durationMinutes: 30, platforms: ['github', 'slack'], nested: { a: 1, b: [{ x: 1, y: 2 }] } },
};

describe('fingerprintOf', () => {
  it('is a SHA-256 hex digest and deterministic', () => {
    expect(fingerprintOf(request)).toMatch(/^[0-9a-f]{64}$/);
    expect(fingerprintOf(request)).toBe(fingerprintOf(structuredClone(request)));
  });

  it('does not depend on key order, at any depth', () => {
    const reordered = {
      body: { nested: { b: [{ y: 2, x: 1 }], a: 1 }, platforms: ['github', 'slack'], durationMinutes: 30, limitedAvailability: true, message: 'Coffee', emoji: ':coffee:' },
      route: 'update',
    };
    expect(fingerprintOf(reordered)).toBe(fingerprintOf(request));
  });

  it('treats an absent field and an undefined one alike (DTO instances may carry undefined)', () => {
    expect(fingerprintOf({ route: 'clear', body: { platforms: undefined } })).toBe(fingerprintOf({ route: 'clear', body: {} }));
    expect(fingerprintOf(undefined)).toBe(fingerprintOf(null));
  });

  it.each([
    ['the route', { ...request, route: 'preset' }],
    ['a string', { ...request, body: { ...request.body, message: 'Coffee!' } }],
    ['a number', { ...request, body: { ...request.body, durationMinutes: 31 } }],
    ['a boolean', { ...request, body: { ...request.body, limitedAvailability: false } }],
    ['a number into a string', { ...request, body: { ...request.body, durationMinutes: '30' } }],
    ['a value into null', { ...request, body: { ...request.body, emoji: null } }],
    ['a removed field', { ...request, body: { ...request.body, emoji: undefined } }],
    ['an added field', { ...request, body: { ...request.body, expiresAt: '2026-11-25T17:00:00Z' } }],
    ['an array element', { ...request, body: { ...request.body, platforms: ['github'] } }],
    ['the array order', { ...request, body: { ...request.body, platforms: ['slack', 'github'] } }],
    ['a nested value', { ...request, body: { ...request.body, nested: { a: 1, b: [{ x: 1, y: 3 }] } } }],
    ['a key moved between levels', { ...request, body: { ...request.body, nested: { a: 1, b: [{ x: 1 }], y: 2 } } }],
  ])('changes when %s changes', (_what, changed) => {
    expect(fingerprintOf(changed)).not.toBe(fingerprintOf(request));
  });
});
