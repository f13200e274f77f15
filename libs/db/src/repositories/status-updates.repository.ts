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

/** Another request with the same Idempotency-Key got there first. */
export class IdempotencyKeyTakenError extends Error {}

const UNIQUE_VIOLATION = '23505';

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

/**
 * A further step of the statement that records an update: a CTE body that may read `created` (the stored update
 * row), given the number of its first parameter. The span engine's writes that need the update's id ride on it (the
 * block's row, §41; the edge's outcome and webhook events, §48). A step that `answers` has its rows returned by
 * `create` (a SELECT step runs only when something reads it).
 */
export interface AlongsideUpdate {
  sql: (first: number) => string;
  parameters: unknown[];
  answers?: boolean;
}

/** The steps as CTEs after `created` and `deliveries`, numbered on from the update's 15 parameters. */
function alongsideSql(steps: AlongsideUpdate[]): { ctes: string; answers: string; parameters: unknown[] } {
  let next = 16;
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
   * Records an update and one pending delivery per platform. Call it inside a transaction: a taken
   * Idempotency-Key aborts it with IdempotencyKeyTakenError.
   */
  async create(manager: EntityManager, input: NewStatusUpdate, alongside: AlongsideUpdate[] = []): Promise<StatusUpdateWithDeliveries & { answered: unknown[] }> {
    try {
      if (input.idempotencyKey) {
        // A key older than the window may be reused: forget it on the old row.
        await manager.query(
          `UPDATE status_updates SET idempotency_key = NULL
           WHERE user_id = $1 AND idempotency_key = $2 AND created_at < now() - make_interval(hours => $3)`,
          [input.userId, input.idempotencyKey, IDEMPOTENCY_WINDOW_HOURS],
        );
      }
      // One round trip: the update, its pending deliveries and the steps alongside, returning the stored row.
      const steps = alongsideSql(alongside);
      const [row] = (await manager.query(
        `WITH created AS (
           INSERT INTO status_updates (user_id, kind, preset, emoji, message, limited_availability, expires_at, platforms,
                                       idempotency_key, request_fingerprint, request_id, source, template_id, template_name,
                                       platform_overrides)
           VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) RETURNING *
         ), deliveries AS (
           INSERT INTO status_deliveries (update_id, platform, user_id)
           SELECT created.id, platform, created.user_id FROM created, unnest(created.platforms) AS platform
         )${steps.ctes}
         SELECT *${steps.answers} FROM created`,
        [
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
          ...steps.parameters,
        ],
      )) as (StatusUpdateRow & { alongside_answers?: unknown[] })[];
      const update = toStatusUpdate(row);
      const deliveries = input.platforms.map((platform) =>
        manager.create(StatusDeliveryEntity, { updateId: update.id, platform, userId: input.userId, state: 'pending', attempts: 0, createdAt: update.createdAt }),
      );
      return { update, deliveries, answered: row.alongside_answers ?? [] };
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION && input.idempotencyKey) throw new IdempotencyKeyTakenError();
      throw error;
    }
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
