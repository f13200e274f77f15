import { Queue, Worker } from 'bullmq';
import { logQueueErrors, QUEUE_ERROR_LOG_INTERVAL_MS } from './queue-errors';

// Port 1: nothing listens, so ioredis reports an error at every reconnect attempt (every 20 ms here).
const unreachable = (name: string) => new Queue(name, { connection: { host: '127.0.0.1', port: 1, retryStrategy: () => 20 } });
const errorsSeen = (queue: Queue, atLeast: number) => {
  let count = 0;
  return new Promise<void>((resolve) => queue.on('error', () => ++count >= atLeast && resolve()));
};

describe('logQueueErrors', () => {
  let queue: Queue;
  afterEach(async () => {
    await queue?.close();
    jest.restoreAllMocks();
  });

  it('without it, BullMQ prints each connection error to stderr, outside the log (why it exists)', async () => {
    const stderr = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    queue = unreachable('bare');
    await new Promise<void>((resolve) => stderr.mockImplementation(() => stderr.mock.calls.length >= 2 && resolve()));
    expect(String(stderr.mock.calls[0][0])).toMatch(/ECONNREFUSED/);
  });

  it('logs an unreachable queue through the logger, once per interval', async () => {
    const stderr = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const warn = jest.fn();
    let clock = 0;
    queue = unreachable('watched');
    logQueueErrors(queue, { warn }, () => clock);
    await errorsSeen(queue, 3);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatchObject({ queue: 'watched', err: expect.objectContaining({ code: 'ECONNREFUSED' }) });

    clock += QUEUE_ERROR_LOG_INTERVAL_MS;
    await errorsSeen(queue, 1);
    expect(warn).toHaveBeenCalledTimes(2);
    expect(stderr).not.toHaveBeenCalled();
  });

  it('does the same for a worker, naming it as one', async () => {
    const stderr = jest.spyOn(console, 'error').mockImplementation(() => undefined);
    const warn = jest.fn();
    const worker = new Worker('watched-worker', async () => undefined, { connection: { host: '127.0.0.1', port: 1, retryStrategy: () => 20 }, autorun: false });
    try {
      let count = 0;
      const seen = new Promise<void>((resolve) => worker.on('error', () => ++count >= 3 && resolve()));
      logQueueErrors(worker, { warn }, () => 0);
      void worker.run().catch(() => undefined);
      await seen;
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0]).toEqual([expect.objectContaining({ queue: 'watched-worker' }), 'worker connection error; retrying']);
      expect(stderr).not.toHaveBeenCalled();
    } finally {
      await worker.close(true);
    }
  });
});
