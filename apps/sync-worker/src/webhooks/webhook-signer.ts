import { Webhook } from 'standardwebhooks';

/**
 * Standard Webhooks headers for one attempt, signed by the spec authors' library. During a rotation both secrets
 * sign: `webhook-signature` lists one `v1,` signature per secret (space-separated), so a receiver holding either
 * verifies. `webhook-id` is the delivery's id, the same on every retry and replay (the receiver's idempotency key).
 */
export function signedHeaders(deliveryId: string, payload: string, secrets: string[], at: Date = new Date()): Record<string, string> {
  if (secrets.length === 0) throw new Error('a webhook needs at least one secret to sign with');
  const signatures = secrets.map((secret) => new Webhook(secret).sign(deliveryId, at, payload));
  return {
    'webhook-id': deliveryId,
    'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
    'webhook-signature': signatures.join(' '),
  };
}
