import { EventEmitter } from 'node:events';
import { armShutdownDeadline, ShutdownTarget } from './shutdown-deadline';

describe('armShutdownDeadline', () => {
  class FakeProcess extends EventEmitter implements ShutdownTarget {
    exits: number[] = [];
    getActiveResourcesInfo = () => ['TCPSocketWrap', 'Timeout'];
    exit = ((code: number) => {
      this.exits.push(code);
    }) as (code: number) => never;
  }

  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  /** A fake process with the deadline armed on it, and the report callback to watch. */
  const armed = (timeoutMs: number) => {
    const target = new FakeProcess();
    const expired = jest.fn();
    armShutdownDeadline(timeoutMs, expired, target);
    return { target, expired };
  };

  it('does nothing until a stop signal arrives', () => {
    const { target, expired } = armed(1_000);
    jest.advanceTimersByTime(60_000);
    expect(expired).not.toHaveBeenCalled();
    expect(target.exits).toEqual([]);
  });

  it('after SIGTERM, reports what is still open and exits 1 once the deadline passes, not before', () => {
    const { target, expired } = armed(25_000);
    target.emit('SIGTERM');
    jest.advanceTimersByTime(24_999);
    expect(target.exits).toEqual([]);
    jest.advanceTimersByTime(1);
    expect(expired).toHaveBeenCalledWith({ timeoutMs: 25_000, pending: ['TCPSocketWrap', 'Timeout'] });
    expect(target.exits).toEqual([1]);
  });

  it('counts from the first signal: a second one (Ctrl-C twice, SIGINT then SIGTERM) neither restarts nor doubles it', () => {
    const { target, expired } = armed(10_000);
    target.emit('SIGINT');
    jest.advanceTimersByTime(6_000);
    target.emit('SIGTERM');
    jest.advanceTimersByTime(4_000);
    expect(target.exits).toEqual([1]);
    jest.advanceTimersByTime(60_000);
    expect(expired).toHaveBeenCalledTimes(1);
    expect(target.exits).toEqual([1]);
  });
});
