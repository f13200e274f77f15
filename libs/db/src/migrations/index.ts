import { InitialSchema1764000000000 } from './1764000000000-initial-schema';
import { RowLevelSecurity1764000001000 } from './1764000001000-row-level-security';
import { OAuthConnections1764000002000 } from './1764000002000-oauth-connections';
import { OrgScope1764000003000 } from './1764000003000-org-scope';
import { Templates1764000004000 } from './1764000004000-templates';
import { Teams1764000005000 } from './1764000005000-teams';
import { AnalyticsRetention1764000006000 } from './1764000006000-analytics-retention';
import { Schedules1764000007000 } from './1764000007000-schedules';
import { Calendars1764000008000 } from './1764000008000-calendars';
import { AcceptInOneStatement1764000009000 } from './1764000009000-accept-in-one-statement';
import { SyncLeases1764000011000 } from './1764000011000-sync-leases';
import { CalendarProviders1764000012000 } from './1764000012000-calendar-providers';
import { Webhooks1764000013000 } from './1764000013000-webhooks';
import { SpanSlackDnd1764000014000 } from './1764000014000-span-slack-dnd';
import { ClaimAndSettleInOneStatement1764000015000 } from './1764000015000-claim-and-settle-in-one-statement';
import { SpanEdgeInOneStatement1764000016100 } from './1764000016100-span-edge-in-one-statement';
import { ClaimAndSettleInBatches1764000016200 } from './1764000016200-claim-and-settle-in-batches';
import { SpanGuardInClaim1764000016300 } from './1764000016300-span-guard-in-claim';
import { PerJobFunctionsInPlpgsql1764000016400 } from './1764000016400-per-job-functions-in-plpgsql';

/** Every migration, in order. Add new ones at the end; never edit one that has shipped. */
export const MIGRATIONS = [
  InitialSchema1764000000000,
  RowLevelSecurity1764000001000,
  OAuthConnections1764000002000,
  OrgScope1764000003000,
  Templates1764000004000,
  Teams1764000005000,
  AnalyticsRetention1764000006000,
  Schedules1764000007000,
  Calendars1764000008000,
  AcceptInOneStatement1764000009000,
  SyncLeases1764000011000,
  CalendarProviders1764000012000,
  Webhooks1764000013000,
  SpanSlackDnd1764000014000,
  ClaimAndSettleInOneStatement1764000015000,
  SpanEdgeInOneStatement1764000016100,
  ClaimAndSettleInBatches1764000016200,
  SpanGuardInClaim1764000016300,
  PerJobFunctionsInPlpgsql1764000016400,
];
