import { Injectable } from '@nestjs/common';
import { ProblemException } from '@statusync/core';
import { AnalyticsRepository, PlatformOutcomes, UserScope } from '@statusync/db';
import { PLATFORMS } from '@statusync/platforms';
import { AuthUser } from '../auth/auth-user';
import { parseTimestamp } from '../http/is-future-timestamp';
import { validationFailed } from '../http/validation';
import { AnalyticsQueryDto, DEFAULT_WINDOW_DAYS, MAX_WINDOW_DAYS } from './analytics.dto';
import { AnalyticsView, PlatformAnalyticsView } from './analytics.views';

const DAY_MS = 86_400_000;
const TOP_TEMPLATES = 20;

const noOutcomes = (): PlatformAnalyticsView => ({ attempted: 0, succeeded: 0, superseded: 0, failed: 0, failedByCode: {}, retries: 0, p50Ms: null, p95Ms: null });
const toView = ({ platform: _platform, ...figures }: PlatformOutcomes): PlatformAnalyticsView => figures;

/** The [from, to) window asked for, with defaults; a 400 naming the field when it is empty or too long. */
export function analyticsWindow(query: AnalyticsQueryDto, now = new Date()): { from: Date; to: Date } {
  const to = query.to ? parseTimestamp(query.to)! : now;
  const from = query.from ? parseTimestamp(query.from)! : new Date(to.getTime() - DEFAULT_WINDOW_DAYS * DAY_MS);
  if (from >= to) throw validationFailed([{ field: 'to', reason: 'to must be later than from' }]);
  if (to.getTime() - from.getTime() > MAX_WINDOW_DAYS * DAY_MS) {
    throw validationFailed([{ field: 'from', reason: `the window from..to must span at most ${MAX_WINDOW_DAYS} days` }]);
  }
  return { from, to };
}

/** Per-platform outcomes and template use, for the caller or (org admins) their whole org. */
@Injectable()
export class AnalyticsService {
  constructor(
    private readonly scope: UserScope,
    private readonly repository: AnalyticsRepository,
  ) {}

  async figures(user: AuthUser, query: AnalyticsQueryDto): Promise<AnalyticsView> {
    const window = analyticsWindow(query);
    const org = query.scope === 'org';
    if (org && !user.orgId) throw validationFailed([{ field: 'scope', reason: 'scope=org needs an organisation, and the token has no org_id' }]);
    if (org && user.role !== 'admin') {
      throw new ProblemException(403, 'forbidden', 'Forbidden', "Only an admin of the organisation may see the organisation's analytics");
    }
    const request = { ...window, platform: query.platform, org };
    const { outcomes, templates } = await this.scope.run(
      user.id,
      async (db) => ({
        outcomes: await this.repository.platformOutcomes(db, request),
        templates: await this.repository.templateUses(db, request, TOP_TEMPLATES),
      }),
      { orgId: user.orgId, role: user.role },
    );
    const found = new Map(outcomes.map((row) => [row.platform, row]));
    const platforms = query.platform ? [query.platform] : PLATFORMS;
    return {
      from: window.from.toISOString(),
      to: window.to.toISOString(),
      platforms: Object.fromEntries(platforms.map((platform) => [platform, found.has(platform) ? toView(found.get(platform)!) : noOutcomes()])),
      templates,
    };
  }
}
