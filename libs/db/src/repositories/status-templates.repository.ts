import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { StatusTemplateEntity, TemplateOverrides, TemplateUntil } from '../entities/status-template.entity';

/** Whose templates a caller may see: their own and, with an org, the org's. Row-level security says the same. */
export interface TemplateViewer {
  userId: string;
  orgId: string | null;
}

export type TemplateScope = 'personal' | 'org';

/** What a template says; everything but who owns it. */
export interface TemplateFields {
  name: string;
  emoji: string | null;
  message: string | null;
  limitedAvailability: boolean;
  durationMinutes: number | null;
  until: TemplateUntil | null;
  platforms: string[] | null;
  overrides: TemplateOverrides;
}

/** Another template of the same scope already has this name (in any case). */
export class TemplateNameTakenError extends Error {}

const UNIQUE_VIOLATION = '23505';
const COLUMNS = `id, user_id AS "userId", org_id AS "orgId", name, emoji, message, limited_availability AS "limitedAvailability",
  duration_minutes AS "durationMinutes", until, platforms, overrides, created_at AS "createdAt", updated_at AS "updatedAt"`;
const VISIBLE = `(user_id = $1 OR (user_id IS NULL AND org_id = $2))`;

const toEntity = (row: Record<string, unknown>) => Object.assign(new StatusTemplateEntity(), row);

export const scopeOf = (template: StatusTemplateEntity): TemplateScope => (template.userId ? 'personal' : 'org');

/** Every method takes the user-scoped transaction (UserScope, with the caller's org and role) it runs in. */
@Injectable()
export class StatusTemplatesRepository {
  /** Personal first, then the org's, each by name. */
  async list(db: EntityManager, viewer: TemplateViewer, scope?: TemplateScope): Promise<StatusTemplateEntity[]> {
    const filter = scope === 'personal' ? 'AND user_id IS NOT NULL' : scope === 'org' ? 'AND user_id IS NULL' : '';
    const rows = await db.query(`SELECT ${COLUMNS} FROM status_templates WHERE ${VISIBLE} ${filter} ORDER BY user_id IS NULL, lower(name), id`, [
      viewer.userId,
      viewer.orgId,
    ]);
    return (rows as Record<string, unknown>[]).map(toEntity);
  }

  async find(db: EntityManager, viewer: TemplateViewer, id: string): Promise<StatusTemplateEntity | null> {
    const [row] = await db.query(`SELECT ${COLUMNS} FROM status_templates WHERE ${VISIBLE} AND id = $3`, [viewer.userId, viewer.orgId, id]);
    return row ? toEntity(row) : null;
  }

  /** A name as presets resolve it: the caller's own template first, then the org's, in any case. */
  async findByName(db: EntityManager, viewer: TemplateViewer, name: string): Promise<StatusTemplateEntity | null> {
    const [row] = await db.query(`SELECT ${COLUMNS} FROM status_templates WHERE ${VISIBLE} AND lower(name) = lower($3) ORDER BY user_id IS NULL LIMIT 1`, [
      viewer.userId,
      viewer.orgId,
      name,
    ]);
    return row ? toEntity(row) : null;
  }

  async create(db: EntityManager, owner: { userId: string } | { orgId: string }, fields: TemplateFields): Promise<StatusTemplateEntity> {
    const [userId, orgId] = 'userId' in owner ? [owner.userId, null] : [null, owner.orgId];
    const rows = await this.write(
      db,
      `INSERT INTO status_templates (user_id, org_id, name, emoji, message, limited_availability, duration_minutes, until, platforms, overrides)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) RETURNING ${COLUMNS}`,
      [userId, orgId, ...fieldValues(fields)],
    );
    return toEntity(rows[0]);
  }

  async update(db: EntityManager, id: string, fields: TemplateFields): Promise<StatusTemplateEntity | null> {
    const rows = await this.write(
      db,
      `UPDATE status_templates SET name = $2, emoji = $3, message = $4, limited_availability = $5, duration_minutes = $6, until = $7,
         platforms = $8, overrides = $9, updated_at = now()
       WHERE id = $1 RETURNING ${COLUMNS}`,
      [id, ...fieldValues(fields)],
    );
    return rows[0] ? toEntity(rows[0]) : null;
  }

  async delete(db: EntityManager, id: string): Promise<boolean> {
    const [, affected] = (await db.query(`DELETE FROM status_templates WHERE id = $1`, [id])) as [unknown, number];
    return affected > 0;
  }

  private async write(db: EntityManager, sql: string, params: unknown[]): Promise<Record<string, unknown>[]> {
    try {
      const result = (await db.query(sql, params)) as Record<string, unknown>[] | [Record<string, unknown>[], number];
      // TypeORM answers UPDATE … RETURNING with [rows, count], INSERT … RETURNING with rows.
      return Array.isArray(result[0]) ? (result[0] as Record<string, unknown>[]) : (result as Record<string, unknown>[]);
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw new TemplateNameTakenError();
      throw error;
    }
  }
}

const fieldValues = (f: TemplateFields) => [
  f.name,
  f.emoji,
  f.message,
  f.limitedAvailability,
  f.durationMinutes,
  f.until,
  f.platforms,
  JSON.stringify(f.overrides),
];
