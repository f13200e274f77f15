import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { rowsOf } from './spans/span-rows';
import type { SpanStatus } from './spans/span-types';

/** A scheduled status as stored: its first occurrence, and an RRULE in `timeZone` when it repeats. */
export interface Schedule {
  id: string;
  userId: string;
  status: SpanStatus;
  platforms: string[] | null;
  templateId: string | null;
  templateName: string | null;
  startsAt: Date;
  endsAt: Date | null;
  rrule: string | null;
  timeZone: string | null;
  state: 'scheduled' | 'cancelled';
  createdAt: Date;
}

export type NewSchedule = Omit<Schedule, 'id' | 'state' | 'createdAt'>;

interface Row {
  id: string;
  user_id: string;
  emoji: string | null;
  message: string | null;
  limited_availability: boolean;
  platforms: string[] | null;
  template_id: string | null;
  template_name: string | null;
  starts_at: Date;
  ends_at: Date | null;
  rrule: string | null;
  time_zone: string | null;
  state: string;
  created_at: Date;
}

const toSchedule = (row: Row): Schedule => ({
  id: row.id,
  userId: row.user_id,
  status: { emoji: row.emoji, message: row.message, limitedAvailability: row.limited_availability },
  platforms: row.platforms,
  templateId: row.template_id,
  templateName: row.template_name,
  startsAt: row.starts_at,
  endsAt: row.ends_at,
  rrule: row.rrule,
  timeZone: row.time_zone,
  state: row.state === 'cancelled' ? 'cancelled' : 'scheduled',
  createdAt: row.created_at,
});

/** `scheduled_statuses`: the schedules users defined. Their occurrences live in status_spans. */
@Injectable()
export class SchedulesRepository {
  constructor(private readonly dataSource: DataSource) {}

  async create(db: EntityManager, input: NewSchedule): Promise<Schedule> {
    const [row] = (await db.query(
      `INSERT INTO scheduled_statuses (user_id, template_id, template_name, emoji, message, limited_availability, platforms,
                                       starts_at, ends_at, rrule, time_zone)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11) RETURNING *`,
      [
        input.userId,
        input.templateId,
        input.templateName,
        input.status.emoji,
        input.status.message,
        input.status.limitedAvailability,
        input.platforms,
        input.startsAt,
        input.endsAt,
        input.rrule,
        input.timeZone,
      ],
    )) as Row[];
    return toSchedule(row);
  }

  async list(db: EntityManager, userId: string, limit = 200): Promise<Schedule[]> {
    const rows = (await db.query(
      `SELECT * FROM scheduled_statuses WHERE user_id = $1 AND state <> 'cancelled' ORDER BY starts_at, id LIMIT $2`,
      [userId, limit],
    )) as Row[];
    return rows.map(toSchedule);
  }

  async find(db: EntityManager, id: string): Promise<Schedule | null> {
    const rows = (await db.query(`SELECT * FROM scheduled_statuses WHERE id = $1 AND state <> 'cancelled'`, [id])) as Row[];
    return rows[0] ? toSchedule(rows[0]) : null;
  }

  /** Marks it cancelled (kept for history: its spans and edges reference it). False if there was none. */
  async cancel(db: EntityManager, id: string): Promise<boolean> {
    const rows = rowsOf(await db.query(`UPDATE scheduled_statuses SET state = 'cancelled', updated_at = now() WHERE id = $1 AND state <> 'cancelled' RETURNING id`, [id]));
    return rows.length === 1;
  }

  /** Across users (scheduler only): recurring schedules still active. */
  async recurring(limit: number): Promise<{ scheduleId: string; userId: string }[]> {
    return this.dataSource.query(`SELECT schedule_id AS "scheduleId", user_id AS "userId" FROM statusync_recurring_schedules($1)`, [limit]);
  }
}
