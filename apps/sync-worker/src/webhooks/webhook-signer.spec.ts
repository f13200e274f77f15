import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret } from '@statusync/queue';
import { signedHeaders } from './webhook-signer';

describe('webhook signing (Standard Webhooks)', () => {
  const payload = JSON.stringify({ type: 'status.changed', timestamp: '2026-12-01T10:00:00.000Z', data: { emoji: ':coffee:' } });
  const deliveryId = '5d7a0e7c-1111-4a2b-9c3d-0e1f2a3b4c5d';

  it('makes whsec_ secrets of 32 random bytes', () => {
    const secret = generateWebhookSecret();
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    expect(Buffer.from(secret.slice(6), 'base64')).toHaveLength(32);
    expect(generateWebhookSecret()).not.toBe(secret);
  });

  it('signs HMAC-SHA256 of "{id}.{timestamp}.{payload}" with the decoded key, as the spec defines', () => {
    const secret = generateWebhookSecret();
    const at = new Date('2026-12-01T10:00:00.500Z');
    const headers = signedHeaders(deliveryId, payload, [secret], at);
    const seconds = Math.floor(at.getTime() / 1000);
    const expected = createHmac('sha256', Buffer.from(secret.slice(6), 'base64')).update(`${deliveryId}.${seconds}.${payload}`).digest('base64');
    expect(headers).toEqual({ 'webhook-id': deliveryId, 'webhook-timestamp': String(seconds), 'webhook-signature': `v1,${expected}` });
  });

  it('verifies with the library, and fails for another secret, a changed body or an old timestamp', () => {
    const secret = generateWebhookSecret();
    const headers = signedHeaders(deliveryId, payload, [secret]);
    expect(new Webhook(secret).verify(payload, headers)).toEqual(JSON.parse(payload));
    expect(() => new Webhook(generateWebhookSecret()).verify(payload, headers)).toThrow();
    expect(() => new Webhook(secret).verify(payload.replace('coffee', 'tea'), headers)).toThrow();
    const old = signedHeaders(deliveryId, payload, [secret], new Date(Date.now() - 10 * 60_000));
    expect(() => new Webhook(secret).verify(payload, old)).toThrow(/too old/);
  });

  it('lists one signature per secret during a rotation, so either verifies', () => {
    const [current, previous] = [generateWebhookSecret(), generateWebhookSecret()];
    const headers = signedHeaders(deliveryId, payload, [current, previous]);
    expect(headers['webhook-signature'].split(' ')).toHaveLength(2);
    expect(new Webhook(current).verify(payload, headers)).toBeTruthy();
    expect(new Webhook(previous).verify(payload, headers)).toBeTruthy();
    expect(() => signedHeaders(deliveryId, payload, [])).toThrow();
  });
});
