import { Logger } from '@nestjs/common';
import type { ModuleRef } from '@nestjs/core';
import type { AppConfig } from '@statusync/core';
import type { PlatformId } from '@statusync/platforms';
import type { Queue } from 'bullmq';
import { CalendarPollProducer } from './calendar-poll.producer';
import { LiveNotifier } from './live/live-notifier';
import type { LivePublisher } from './live/live-publisher';
import { StatusReadProducer } from './status-read.producer';
import { StatusSyncProducer } from './status-sync.producer';

/** A queue whose Redis is gone: every add is refused, as BullMQ refuses it when its connection is down. */
const downQueue = () => {
  const refused = jest.fn().mockRejectedValue(new Error('Connection is closed.'));
  return { queue: { add: refused } as unknown as Queue, refused };
};
const moduleRefFor = (queue: Queue) => ({ get: () => queue }) as unknown as ModuleRef;

describe('enqueues that must never fail their caller (Redis down)', () => {
  let warn: jest.SpyInstance;

  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  it('a calendar read asked for now: logged, not thrown (the poller finds the due read itself)', async () => {
    const { queue, refused } = downQueue();
    await expect(new CalendarPollProducer(queue).readNow({ calendarId: 'cal-1', userId: 'user-1' })).resolves.toBeUndefined();
    expect(refused).toHaveBeenCalledWith('read-calendar', { calendarId: 'cal-1', userId: 'user-1', force: true }, expect.objectContaining({ jobId: expect.stringMatching(/^cal-1\.\d+$/) }));
    expect(warn).toHaveBeenCalledWith(expect.objectContaining({ calendarId: 'cal-1' }), 'calendar read not enqueued');
  });

  it('read-backs: logged, not thrown (the next team view asks again)', async () => {
    const { queue, refused } = downQueue();
    const jobs = [{ userId: 'user-1', platform: 'slack' as PlatformId, staleSince: 0 }];
    await expect(new StatusReadProducer(moduleRefFor(queue)).enqueue(jobs)).resolves.toBeUndefined();
    expect(refused).toHaveBeenCalledTimes(1);
    expect(warn).toHaveBeenCalledWith({ err: expect.any(Error), count: 1 }, 'read-back jobs not enqueued');
  });

  it('a live notification: logged, not thrown (a request or delivery is never retried for it)', async () => {
    const publish = jest.fn().mockRejectedValue(new Error('Connection is closed.'));
    const notifier = new LiveNotifier(undefined as never, undefined as never, { publish } as unknown as LivePublisher);
    await expect(notifier.notify('user-1', { type: 'reading', platform: 'slack' }, { subject: 'ada', teamIds: ['team-1'] })).resolves.toBeUndefined();
    expect(publish).toHaveBeenCalledWith({ userId: 'user-1', subject: 'ada', teamIds: ['team-1'] }, { type: 'reading', platform: 'slack' });
    expect(warn).toHaveBeenCalledWith({ err: expect.any(Error), userId: 'user-1' }, 'live notification skipped');
  });
});

describe('StatusSyncProducer.queueFor', () => {
  it('refuses a platform it has no queue for, naming it', () => {
    const producer = new StatusSyncProducer(moduleRefFor({} as Queue), {} as AppConfig);
    expect(() => producer.queueFor('teams' as PlatformId)).toThrow('No queue for platform teams');
  });
});
