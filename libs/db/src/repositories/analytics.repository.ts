import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';

export interface AnalyticsQuery {
  from: Date;
  to: Date;
  /** Only this platform's deliveries (and updates that went to it); all when undefined. */
  platform?: string;
  /** Every user of the caller's org (the scope must carry the org and role `admin`), or only the caller. */
  org: boolean;
}

export interface PlatformOutcomes {
  platform: string;
  attempted: number;
  succeeded: number;
  superseded: number;
  failed: number;
  failedByCode: Record<string, number>;
  retries: number;
  /** From request to applied, over succeeded deliveries; null when none succeeded. */
  p50Ms: number | null;
  p95Ms: number | null;
}

export interface TemplateUses {
  name: string;
  uses: number;
}

interface OutcomeRow {
  platform: string;
  attempted: string;
  succeeded: string;
  superseded: string;
  failed: string;
  failed_by_code: Record<string, string | number>;
  retries: string;
  p50_ms: string | null;
  p95_ms: string | null;
}

const ms = (value: string | null) => (value === null ? null : Number(value));

/**
 * Status analytics. The figures come from SECURITY DEFINER functions (migration 1764000006000) that read the
 * caller from the user scope: org-wide figures cross users, which the table policies rightly never allow.
 */
@Injectable()
export class AnalyticsRepository {
  async platformOutcomes(db: EntityManager, query: AnalyticsQuery): Promise<PlatformOutcomes[]> {
    const rows = (await db.query(`SELECT * FROM statusync_delivery_analytics($1, $2, $3, $4)`, [
      query.from,
      query.to,
      query.platform ?? null,
      query.org,
    ])) as OutcomeRow[];
    return rows.map((row) => ({
      platform: row.platform,
      attempted: Number(row.attempted),
      succeeded: Number(row.succeeded),
      superseded: Number(row.superseded),
      failed: Number(row.failed),
      failedByCode: Object.fromEntries(Object.entries(row.failed_by_code).map(([code, n]) => [code, Number(n)])),
      retries: Number(row.retries),
      p50Ms: ms(row.p50_ms),
      p95Ms: ms(row.p95_ms),
    }));
  }

  /** The most used templates and presets (by the name they had when applied), most used first. */
  async templateUses(db: EntityManager, query: AnalyticsQuery, limit: number): Promise<TemplateUses[]> {
    const rows = (await db.query(`SELECT name, uses FROM statusync_template_analytics($1, $2, $3, $4, $5)`, [
      query.from,
      query.to,
      query.platform ?? null,
      query.org,
      limit,
    ])) as { name: string; uses: string }[];
    return rows.map((row) => ({ name: row.name, uses: Number(row.uses) }));
  }
}
