import { PlatformRateLimitError, PlatformUnavailableError } from '@statusync/platforms';
import { decide } from './settle.step';

const error = (code: string, permanent: boolean) => {
  const cause = permanent ? null : new PlatformUnavailableError('github', code, code);
  return { kind: 'error' as const, code, message: code, permanent, error: cause, reauth: null };
};

describe('decide: what an answer means for the delivery and the lease', () => {
  it('applies a success and releases the lease', () => {
    expect(decide({ kind: 'applied', receipt: { emoji: null, message: null, expiresAt: null } }, false)).toEqual({
      outcome: 'succeeded',
      result: { kind: 'done', outcome: 'succeeded' },
      keepLease: false,
    });
  });

  it('retries a passing failure, but not on the last attempt', () => {
    expect(decide(error('http_502', false), false)).toMatchObject({ outcome: 'retrying', result: { kind: 'retry' }, keepLease: false });
    expect(decide(error('http_502', false), true)).toMatchObject({ outcome: 'failed', result: { kind: 'failed', code: 'http_502' } });
  });

  it('fails a permanent refusal at once', () => {
    expect(decide(error('token_revoked', true), false)).toMatchObject({ outcome: 'failed', result: { kind: 'failed', code: 'token_revoked' } });
  });

  it('keeps the lease to its end after a timeout: the call may still land', () => {
    expect(decide(error('timeout', false), false)).toMatchObject({ outcome: 'retrying', keepLease: true });
    expect(decide(error('timeout', false), true)).toMatchObject({ outcome: 'failed', keepLease: true });
  });

  it('passes a rate limit on as the error BullMQ backs off from', () => {
    const limited = new PlatformRateLimitError('slack', 'ratelimited', 'slow down', 30_000);
    const answer = { kind: 'error' as const, code: 'ratelimited', message: 'slow down', permanent: false, error: limited, reauth: null };
    expect(decide(answer, false).result).toEqual({ kind: 'retry', error: limited });
  });
});
