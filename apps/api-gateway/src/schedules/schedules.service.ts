import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, AppConfig, expandOccurrences, hasPlaceholders, longestResolution, ProblemException } from '@statusync/core';
import { materialiseSchedule, Schedule, SchedulesRepository, SpansRepository, StatusTemplatesRepository, UsersRepository, UserScope } from '@statusync/db';
import { STRICTEST_LIMITS } from '@statusync/platforms';
import { SpanEdgeProducer } from '@statusync/queue';
import { EntityManager } from 'typeorm';
import { AuthUser } from '../auth/auth-user';
import { validationFailed } from '../http/validation';
import { checkScheduleInput, ScheduleTimes } from './schedule-input';
import { CreateScheduleDto, OccurrencesQueryDto } from './schedules.dto';
import { OccurrencesView, ScheduleView } from './schedules.views';

const NEXT_OCCURRENCES = 5;
const MAX_PREVIEW = 500;
const MAX_WINDOW_MS = 366 * 86_400_000;
const DEFAULT_WINDOW_MS = 30 * 86_400_000;
/** How long the API waits for Redis; the scheduler's reconcile adds whatever jobs did not make it. */
const ENQUEUE_WAIT_MS = 2_000;
const briefly = async (work: Promise<unknown>): Promise<void> => {
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([work.catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, ENQUEUE_WAIT_MS)))]);
  clearTimeout(timer);
};
const notFound = () => new ProblemException(404, 'not-found', 'Not Found', 'schedule not found');

/**
 * Scheduled statuses: stored in `scheduled_statuses`, their occurrences materialised into spans in the same
 * transaction, their edges handed to the span engine (delayed jobs) once committed. The scheduler fires them.
 */
@Injectable()
export class SchedulesService {
  constructor(
    private readonly scope: UserScope,
    private readonly schedules: SchedulesRepository,
    private readonly spans: SpansRepository,
    private readonly templates: StatusTemplatesRepository,
    private readonly users: UsersRepository,
    private readonly producer: SpanEdgeProducer,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private run<T>(user: AuthUser, work: (db: EntityManager) => Promise<T>): Promise<T> {
    return this.scope.run(user.id, work, { orgId: user.orgId, role: user.role });
  }

  async create(user: AuthUser, dto: CreateScheduleDto, now = new Date()): Promise<ScheduleView> {
    const times = checkScheduleInput(dto, now);
    const { schedule, spans } = await this.run(user, async (db) => {
      const timeZone = dto.timeZone ?? (await this.users.findById(db, user.id))?.timeZone ?? 'UTC';
      const what = await this.statusOf(db, user, dto);
      checkPlaceholders(what.status.message, times, dto.templateId ? 'templateId' : 'status.message');
      const schedule = await this.schedules.create(db, { userId: user.id, ...what, ...times, timeZone });
      const result = await materialiseSchedule(db, this.spans, schedule, now, this.config.schedules.materialiseDays);
      return { schedule, spans: result.changed };
    });
    // After the commit; if Redis is down the scheduler's reconcile adds the jobs.
    await briefly(this.producer.schedule(spans, now.getTime()));
    return this.view(schedule, now);
  }

  async list(user: AuthUser, now = new Date()): Promise<ScheduleView[]> {
    return (await this.run(user, (db) => this.schedules.list(db, user.id))).map((schedule) => this.view(schedule, now));
  }

  async get(user: AuthUser, id: string, now = new Date()): Promise<ScheduleView> {
    return this.view(await this.find(user, id), now);
  }

  /** Cancels future occurrences and ends a running one now (its status is restored). */
  async delete(user: AuthUser, id: string): Promise<void> {
    const ended = await this.run(user, async (db) => {
      if (!(await this.schedules.cancel(db, id))) throw notFound();
      return (await this.spans.cancelSource(db, user.id, 'schedule', id)).endedNow;
    });
    await briefly(this.producer.schedule(ended));
  }

  async occurrences(user: AuthUser, id: string, query: OccurrencesQueryDto, now = new Date()): Promise<OccurrencesView> {
    const from = query.from ? new Date(query.from) : now;
    const to = query.to ? new Date(query.to) : new Date(from.getTime() + DEFAULT_WINDOW_MS);
    if (to <= from) throw validationFailed([{ field: 'to', reason: 'to must be after from' }]);
    if (to.getTime() - from.getTime() > MAX_WINDOW_MS) throw validationFailed([{ field: 'to', reason: 'the window may span at most 366 days' }]);
    const schedule = await this.find(user, id);
    const list = this.expand(schedule, from, to, MAX_PREVIEW + 1);
    return { occurrences: list.slice(0, MAX_PREVIEW), truncated: list.length > MAX_PREVIEW };
  }

  private async find(user: AuthUser, id: string): Promise<Schedule> {
    const schedule = await this.run(user, (db) => this.schedules.find(db, id));
    if (!schedule) throw notFound();
    return schedule;
  }

  /** The status as given, or the template's as it is now (a later change to the template does not follow). */
  private async statusOf(db: EntityManager, user: AuthUser, dto: CreateScheduleDto): Promise<Pick<Schedule, 'status' | 'platforms' | 'templateId' | 'templateName'>> {
    if (dto.status) {
      const { emoji, message, limitedAvailability, platforms } = dto.status;
      return { status: { emoji: emoji ?? null, message: message ?? null, limitedAvailability: limitedAvailability ?? false }, platforms: platforms ?? null, templateId: null, templateName: null };
    }
    const template = await this.templates.find(db, { userId: user.id, orgId: user.orgId }, dto.templateId!);
    if (!template) throw validationFailed([{ field: 'templateId', reason: 'no template of yours or your org has this id' }]);
    return {
      status: { emoji: template.emoji, message: template.message, limitedAvailability: template.limitedAvailability },
      platforms: template.platforms,
      templateId: template.id,
      templateName: template.name,
    };
  }

  private expand(schedule: Schedule, from: Date, to: Date, max: number) {
    return expandOccurrences({ startsAt: schedule.startsAt, endsAt: schedule.endsAt, rrule: schedule.rrule, timeZone: schedule.timeZone ?? 'UTC' }, from, to, max).map(
      (o) => ({ startsAt: o.startsAt.toISOString(), endsAt: o.endsAt?.toISOString() ?? null }),
    );
  }

  private view(schedule: Schedule, now: Date): ScheduleView {
    return {
      id: schedule.id,
      startsAt: schedule.startsAt.toISOString(),
      endsAt: schedule.endsAt?.toISOString() ?? null,
      rrule: schedule.rrule,
      timeZone: schedule.timeZone ?? 'UTC',
      status: { ...schedule.status, platforms: schedule.platforms },
      templateId: schedule.templateId,
      templateName: schedule.templateName,
      nextOccurrences: this.expand(schedule, now, new Date(now.getTime() + MAX_WINDOW_MS), NEXT_OCCURRENCES),
      createdAt: schedule.createdAt.toISOString(),
    };
  }
}

/**
 * `{until}`/`{duration}` are resolved per occurrence (from its end and length), so they need an end, and the
 * longest text they can resolve to must fit every platform.
 */
function checkPlaceholders(message: string | null, times: ScheduleTimes, field: string): void {
  if (!hasPlaceholders(message)) return;
  if (!times.endsAt) throw validationFailed([{ field: 'endsAt', reason: 'the message uses {until} or {duration}, which need an end: give endsAt' }]);
  const longest = longestResolution(message!, times.endsAt.getTime() - times.startsAt.getTime());
  if (longest.length > STRICTEST_LIMITS.messageMaxLength) {
    throw validationFailed([{ field, reason: `the message with {until}/{duration} filled in can be ${longest.length} characters; at most ${STRICTEST_LIMITS.messageMaxLength} fit every platform` }]);
  }
}
