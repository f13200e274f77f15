import { Injectable } from '@nestjs/common';
import { ProblemException } from '@statusync/core';
import { PlatformConfigsRepository, StatusUpdatesRepository, UserScope } from '@statusync/db';
import { parseTimestamp } from '../http/is-future-timestamp';
import { validationFailed } from '../http/validation';
import { platformCurrentView, statusUpdateView } from './status-views.mapper';
import { HistoryQueryDto } from './status.dto';
import { CurrentStatusView, HistoryPageView, StatusUpdateView } from './status.views';

const DEFAULT_PAGE_SIZE = 20;

/** Cursors are opaque to clients: the sequence number of the last item, base64url-encoded. */
const encodeCursor = (seq: string) => Buffer.from(seq, 'utf8').toString('base64url');
/** Postgres' largest bigint: a forged cursor above it would make the query fail (a 500) instead of a 400. */
const MAX_SEQ = 2n ** 63n - 1n;
const decodeCursor = (cursor: string): string | null => {
  const seq = Buffer.from(cursor, 'base64url').toString('utf8');
  return /^\d{1,19}$/.test(seq) && BigInt(seq) <= MAX_SEQ ? seq : null;
};

/** Read side of statuses: one update's outcome, the current status, and history. */
@Injectable()
export class StatusQueriesService {
  constructor(
    private readonly scope: UserScope,
    private readonly updates: StatusUpdatesRepository,
    private readonly configs: PlatformConfigsRepository,
  ) {}

  async findUpdate(userId: string, id: string): Promise<StatusUpdateView> {
    const found = await this.scope.run(userId, (db) => this.updates.findForUser(db, userId, id));
    // Someone else's update is "not found" too: ids must not reveal what exists.
    if (!found) throw new ProblemException(404, 'not-found', 'Not Found', 'status update not found');
    return statusUpdateView(found);
  }

  async current(userId: string): Promise<CurrentStatusView> {
    const { requested, configs, applied } = await this.scope.run(userId, async (db) => {
      const latest = await this.updates.latestForUser(db, userId);
      const configs = await this.configs.listForUser(db, userId);
      const appliedIds = configs.map((c) => c.appliedUpdateId).filter((id): id is string => id !== null);
      return {
        configs,
        applied: new Map((await this.updates.findByIds(db, appliedIds)).map((u) => [u.id, u])),
        requested: latest ? await this.updates.findForUser(db, userId, latest.id) : null,
      };
    });
    return {
      requested: requested ? statusUpdateView(requested) : null,
      platforms: Object.fromEntries(
        configs.map((config) => [config.platform, platformCurrentView(config, config.appliedUpdateId ? applied.get(config.appliedUpdateId) : undefined)]),
      ),
    };
  }

  async history(userId: string, query: HistoryQueryDto): Promise<HistoryPageView> {
    const limit = query.limit ?? DEFAULT_PAGE_SIZE;
    const beforeSeq = query.cursor ? decodeCursor(query.cursor) : undefined;
    if (beforeSeq === null) throw validationFailed([{ field: 'cursor', reason: 'cursor is not a cursor this API issued' }]);
    const from = query.from ? parseTimestamp(query.from)! : undefined;
    const to = query.to ? parseTimestamp(query.to)! : undefined;
    if (from && to && from >= to) throw validationFailed([{ field: 'to', reason: 'to must be later than from' }]);
    // One extra row tells whether another page exists.
    const rows = await this.scope.run(userId, (db) =>
      this.updates.history(db, userId, { platform: query.platform, from, to, beforeSeq, limit: limit + 1 }),
    );
    const page = rows.slice(0, limit);
    return {
      items: page.map(statusUpdateView),
      nextCursor: rows.length > limit ? encodeCursor(page[page.length - 1].update.seq) : null,
    };
  }
}
