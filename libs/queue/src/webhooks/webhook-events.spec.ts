import { WEBHOOK_MAX_PAYLOAD_BYTES, webhookJobId, webhookJobOptions, webhookPayload } from './webhook-events';

describe('webhook payloads and jobs', () => {
  it('builds {type, timestamp, data}', () => {
    const at = new Date('2026-12-01T10:00:00Z');
    expect(JSON.parse(webhookPayload('status.changed', { emoji: ':coffee:' }, at))).toEqual({ type: 'status.changed', timestamp: '2026-12-01T10:00:00.000Z', data: { emoji: ':coffee:' } });
  });

  it('keeps every payload under 20 KB, saying when data was cut', () => {
    const body = webhookPayload('status.changed', { message: 'x'.repeat(30_000) });
    expect(Buffer.byteLength(body)).toBeLessThan(WEBHOOK_MAX_PAYLOAD_BYTES);
    expect(JSON.parse(body)).toEqual({ type: 'status.changed', timestamp: expect.any(String), data: { truncated: true } });
  });

  it('gives one job per delivery and replay, with one attempt per schedule step', () => {
    expect(webhookJobId('d1', 0)).toBe('wh.d1.0');
    expect(webhookJobId('d1', 2)).toBe('wh.d1.2');
    expect(webhookJobOptions([0, 5_000, 300_000])).toEqual(expect.objectContaining({ attempts: 3, delay: 0, backoff: { type: 'webhook' } }));
  });
});
