import { Injectable } from '@nestjs/common';
import { EntityManager, In } from 'typeorm';
import { StatusDeliveryEntity } from '../entities/status-delivery.entity';
import { PlatformOverrides, StatusUpdateEntity, StatusUpdateKind, StatusUpdateSource } from '../entities/status-update.entity';

export interface NewStatusUpdate {
  userId: string;
  kind: StatusUpdateKind;
  preset: string | null;
  emoji: string | null;
  message: string | null;
  limitedAvailability: boolean;
  expiresAt: Date | null;
  platforms: string[];
  idempotencyKey: string | null;
  requestFingerprint: string | null;
  requestId: string | null;
  /** Default `manual` (`preset` when `preset` is set). */
  source?: StatusUpdateSource;
  templateId?: string | null;
  templateName?: string | null;
  platformOverrides?: PlatformOverrides | null;
}

export interface StatusUpdateWithDeliveries {
  update: StatusUpdateEntity;
  deliveries: StatusDeliveryEntity[];
}

export interface HistoryQuery {
  platform?: string;
  from?: Date;
  to?: Date;
  /** Only updates older than this sequence number (the cursor). */
  beforeSeq?: string;
  limit: number;
}

/** How long an Idempotency-Key is remembered. */
export const IDEMPOTENCY_WINDOW_HOURS = 24;

/** A status_updates row as Postgres returns it from raw SQL. */
export interface StatusUpdateRow {
  id: string;
  seq: string;
  user_id: string;
  kind: StatusUpdateKind;
  preset: string | null;
  emoji: string | null;
  message: string | null;
  limited_availability: boolean;
  expires_at: Date | null;
  platforms: string[];
  idempotency_key: string | null;
  request_fingerprint: string | null;
  request_id: string | null;
  source: StatusUpdateSource;
  template_id: string | null;
  template_name: string | null;
  platform_overrides: PlatformOverrides | null;
  created_at: Date;
}

export const toStatusUpdate = (row: StatusUpdateRow): StatusUpdateEntity =>
  Object.assign(new StatusUpdateEntity(), {
    id: row.id,
    seq: row.seq,
    userId: row.user_id,
    kind: row.kind,
    preset: row.preset,
    emoji: row.emoji,
    message: row.message,
    limitedAvailability: row.limited_availability,
    expiresAt: row.expires_at,
    platforms: row.platforms,
    idempotencyKey: row.idempotency_key,
    requestFingerprint: row.request_fingerprint,
    requestId: row.request_id,
    source: row.source,
    templateId: row.template_id,
    templateName: row.template_name,
    platformOverrides: row.platform_overrides,
    createdAt: row.created_at,
  });

/** Updates just recorded, in order, and the rows the steps alongside them answered. */
export interface RecordedUpdates {
  updates: StatusUpdateEntity[];
  answered: unknown[];
}

/** The values of one recorded update, in the order of `record`'s column list. */
const UPDATE_VALUES = 15;
const updateValues = (input: NewStatusUpdate): unknown[] => [
  input.userId,
  input.kind,
  input.preset,
  input.emoji,
  input.message,
  input.limitedAvailability,
  input.expiresAt,
  input.platforms,
  input.idempotencyKey,
  input.requestFingerprint,
  input.requestId,
  input.source ?? (input.preset ? 'preset' : 'manual'),
  input.templateId ?? null,
  input.templateName ?? null,
  input.platformOverrides ? JSON.stringify(input.platformOverrides) : null,
];

/**
 * A further step of the statement that records updates: a CTE body that may read `created` (the stored update
 * rows), given the number of its first parameter. The span engine's writes that need the update's id ride on it (the
 * block's row, §41; the edge's outcome and webhook events, §48). A step that `answers` has its rows returned by
 * `record` (a SELECT step runs only when something reads it).
 */
export interface AlongsideUpdate {
  sql: (first: number) => string;
  parameters: unknown[];
  answers?: boolean;
}

/** The steps as CTEs after `created` and `deliveries`, their parameters numbered from `first`. */
function alongsideSql(steps: AlongsideUpdate[], first: number): { ctes: string; answers: string; parameters: unknown[] } {
  let next = first;
  const ctes: string[] = [];
  const answers: string[] = [];
  steps.forEach((step, index) => {
    ctes.push(`, alongside${index} AS (${step.sql(next)})`);
    if (step.answers) answers.push(`SELECT to_jsonb(a) AS answer FROM alongside${index} a`);
    next += step.parameters.length;
  });
  const answered = answers.length > 0 ? `, (SELECT coalesce(jsonb_agg(answer), '[]') FROM (${answers.join(' UNION ALL ')}) answered) AS alongside_answers` : '';
  return { ctes: ctes.join(''), answers: answered, parameters: steps.flatMap((step) => step.parameters) };
}

/** Every method takes the user-scoped transaction (UserScope) it runs in. */
@Injectable()
export class StatusUpdatesRepository {
  /**
   * Records updates, each with one pending delivery per platform, and the steps alongside, in one statement; answers
   * them in order. The span engine's (§41, §48): none carries an idempotency key. The API's are recorded by
   * AcceptUpdateRepository.
   */
  async record(manager: EntityManager, inputs: NewStatusUpdate[], alongside: AlongsideUpdate[] = []): Promise<RecordedUpdates> {
    const steps = alongsideSql(alongside, inputs.length * UPDATE_VALUES + 1);
    const values = inputs.map((_, row) => `(${Array.from({ length: UPDATE_VALUES }, (_, column) => `$${row * UPDATE_VALUES + column + 1}`).join(', ')})`);
    const rows = (await manager.query(
      `WITH created AS (
         INSERT INTO status_updates (user_id, kind, preset, emoji, message, limited_availability, expires_at, platforms,
                                     idempotency_key, request_fingerprint, request_id, source, template_id, template_name,
                                     platform_overrides)
         VALUES ${values.join(', ')} RETURNING *
       ), deliveries AS (
         INSERT INTO status_deliveries (update_id, platform, user_id)
         SELECT created.id, platform, created.user_id FROM created, unnest(created.platforms) AS platform
       )${steps.ctes}
       SELECT *${steps.answers} FROM created ORDER BY seq`,
      [...inputs.flatMap(updateValues), ...steps.parameters],
    )) as (StatusUpdateRow & { alongside_answers?: unknown[] })[];
    return { updates: rows.map(toStatusUpdate), answered: rows[0]?.alongside_answers ?? [] };
  }

  /** The update recorded under this key within the idempotency window, if any. */
  findByIdempotencyKey(db: EntityManager, userId: string, key: string): Promise<StatusUpdateEntity | null> {
    return db
      .getRepository(StatusUpdateEntity)
      .createQueryBuilder('u')
      .where('u.userId = :userId AND u.idempotencyKey = :key', { userId, key })
      .andWhere(`u.createdAt >= now() - make_interval(hours => :hours)`, { hours: IDEMPOTENCY_WINDOW_HOURS })
      .getOne();
  }

  findById(db: EntityManager, id: string): Promise<StatusUpdateEntity | null> {
    return db.getRepository(StatusUpdateEntity).findOneBy({ id });
  }

  async findForUser(db: EntityManager, userId: string, id: string): Promise<StatusUpdateWithDeliveries | null> {
    const update = await db.getRepository(StatusUpdateEntity).findOneBy({ id, userId });
    if (!update) return null;
    return { update, deliveries: (await this.deliveriesOf(db, [update.id])).get(update.id) ?? [] };
  }

  /** One page of a user's updates, newest first. */
  async history(db: EntityManager, userId: string, query: HistoryQuery): Promise<StatusUpdateWithDeliveries[]> {
    const builder = db
      .getRepository(StatusUpdateEntity)
      .createQueryBuilder('u')
      .where('u.userId = :userId', { userId })
      .orderBy('u.seq', 'DESC')
      .limit(query.limit);
    if (query.platform) builder.andWhere(':platform = ANY(u.platforms)', { platform: query.platform });
    if (query.from) builder.andWhere('u.createdAt >= :from', { from: query.from });
    if (query.to) builder.andWhere('u.createdAt < :to', { to: query.to });
    if (query.beforeSeq) builder.andWhere('u.seq < :beforeSeq', { beforeSeq: query.beforeSeq });
    const updates = await builder.getMany();
    const deliveries = await this.deliveriesOf(db, updates.map((u) => u.id));
    return updates.map((update) => ({ update, deliveries: deliveries.get(update.id) ?? [] }));
  }

  latestForUser(db: EntityManager, userId: string): Promise<StatusUpdateEntity | null> {
    return db.getRepository(StatusUpdateEntity).findOne({ where: { userId }, order: { seq: 'DESC' } });
  }

  findByIds(db: EntityManager, ids: string[]): Promise<StatusUpdateEntity[]> {
    return ids.length === 0 ? Promise.resolve([]) : db.getRepository(StatusUpdateEntity).findBy({ id: In(ids) });
  }

  private async deliveriesOf(db: EntityManager, updateIds: string[]): Promise<Map<string, StatusDeliveryEntity[]>> {
    const byUpdate = new Map<string, StatusDeliveryEntity[]>();
    if (updateIds.length === 0) return byUpdate;
    const rows = await db
      .getRepository(StatusDeliveryEntity)
      .find({ where: { updateId: In(updateIds) }, order: { platform: 'ASC' } });
    for (const row of rows) byUpdate.set(row.updateId, [...(byUpdate.get(row.updateId) ?? []), row]);
    return byUpdate;
  }
}
