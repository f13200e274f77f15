import { ChaosStack } from './chaos-stack';
import { Sent, sleep } from './load-driver';
import { TapRecord } from './platform-tap';

type Platform = 'github' | 'slack';
const PLATFORMS: Platform[] = ['github', 'slack'];

/** A period in which a dependency was down or misbehaving, as the scenario injected it. */
export interface FaultWindow {
  name: string;
  from: number;
  to: number;
}

interface DeliveryRow {
  update_id: string;
  seq: number;
  kind: 'set' | 'clear';
  message: string | null;
  emoji: string | null;
  subject: string;
  platform: Platform;
  state: 'pending' | 'succeeded' | 'failed' | 'superseded';
  error_code: string | null;
  attempts: number;
}

/** A status write the platform applied (it answered success), in the order the platform applied them. */
export interface AppliedWrite {
  user: number;
  platform: Platform;
  /** null: a clear. */
  message: string | null;
  /** The call had timed out on our side before the platform applied it. */
  late: boolean;
}

export interface ChaosReport {
  /** Counted per delivery (one update to one platform) of the updates the gateway accepted with 202. */
  counts: { accepted: number; applied: number; failedWithReason: number; lost: number };
  /** Each list must be empty. */
  violations: {
    /** No answer within the client timeout, a connection error, a 5xx other than 503, or a 503 without Retry-After. */
    gateway: string[];
    /** An accepted update not recorded, or recorded without a final outcome, or failed without a reason. */
    outcomes: string[];
    /** A request the gateway did not accept (503 or no answer) that was recorded and applied anyway. */
    unacknowledged: string[];
    /** A platform does not show the newest status applied for a user, or a newer update did not fail. */
    lastWriteWins: string[];
    /** An older status applied on a platform after a newer one: the user saw their status go back. */
    regressions: string[];
  };
  notes: {
    answers: Record<string, number>;
    maxLatencyMs: number;
    /** The same update applied to a platform again right after itself (at least once; invisible to the user). */
    duplicateWrites: number;
    duplicates: string[];
    /** Writes the platform applied after our call had timed out. */
    lateLandings: number;
    /** Users whose last update to a platform failed for good (the platform keeps the newest one that succeeded). */
    lastUpdateFailed: number;
    failureCodes: Record<string, number>;
  };
}

/** Waits until no delivery is pending (or the time is up); returns how long it took. */
export async function waitUntilFinal(stack: ChaosStack, timeoutMs: number): Promise<number> {
  const started = Date.now();
  for (;;) {
    const pending = await stack.db
      .query(`SELECT count(*)::int AS n FROM status_deliveries WHERE state = 'pending'`)
      .then(({ rows }) => rows[0].n as number)
      .catch(() => -1);
    if (pending === 0 || Date.now() - started > timeoutMs) return Date.now() - started;
    await sleep(250);
  }
}

/**
 * Checks the chaos invariants against what the gateway answered (the load driver's records), what Postgres
 * recorded, and what the platforms applied (the fakes' final state and the taps' record of applied writes).
 *
 * Last write wins, precisely: per user and platform, take the deliveries in update order (`seq`). The platform
 * must show the newest one that `succeeded` (nothing, if none did), and every newer one must have `failed` with
 * a reason, or be `superseded` by a newer one that failed (supersede-on-claim). So when the user's last update
 * succeeded (the normal case) the platform shows the last requested status; when it failed for good the platform
 * keeps the newest status that could be applied, and the update's outcome says why the last one is not there.
 */
export async function checkInvariants(stack: ChaosStack, sent: Sent[]): Promise<ChaosReport> {
  const report: ChaosReport = {
    counts: { accepted: 0, applied: 0, failedWithReason: 0, lost: 0 },
    violations: { gateway: [], outcomes: [], unacknowledged: [], lastWriteWins: [], regressions: [] },
    notes: { answers: {}, maxLatencyMs: 0, duplicateWrites: 0, duplicates: [], lateLandings: 0, lastUpdateFailed: 0, failureCodes: {} },
  };

  // 1. The gateway: 202 or 503 + Retry-After, always within the client timeout.
  for (const s of sent) {
    report.notes.answers[String(s.status)] = (report.notes.answers[String(s.status)] ?? 0) + 1;
    report.notes.maxLatencyMs = Math.max(report.notes.maxLatencyMs, s.latencyMs);
    const what = `u${s.user} #${s.n} ${s.kind} at +${s.latencyMs} ms`;
    if (typeof s.status !== 'number') report.violations.gateway.push(`${what}: ${s.status} (${s.detail})`);
    else if (s.status === 503 && !s.retryAfter) report.violations.gateway.push(`${what}: 503 without Retry-After`);
    else if (s.status !== 202 && s.status !== 503) report.violations.gateway.push(`${what}: ${s.status} ${s.detail}`);
  }

  // 2. What Postgres recorded, per user and platform in update order.
  const { rows } = await stack.db.query<DeliveryRow>(
    `SELECT u.id AS update_id, u.seq::float8 AS seq, u.kind, u.message, u.emoji, s.subject, d.platform, d.state, d.error_code, d.attempts
     FROM status_updates u JOIN users s ON s.id = u.user_id JOIN status_deliveries d ON d.update_id = u.id
     ORDER BY u.seq`,
  );
  const userBySubject = new Map(stack.users.map((user) => [user.subject, user.index]));
  const deliveries = new Map<string, DeliveryRow[]>(); // `${user}/${platform}` → in seq order
  const byUpdate = new Map<string, DeliveryRow[]>();
  for (const row of rows) {
    const user = userBySubject.get(row.subject);
    if (user === undefined) continue;
    const key = `${user}/${row.platform}`;
    deliveries.set(key, [...(deliveries.get(key) ?? []), row]);
    byUpdate.set(row.update_id, [...(byUpdate.get(row.update_id) ?? []), row]);
  }

  // 3. Every accepted update has a final outcome on every platform it targeted: lost 0.
  const acceptedIds = new Set<string>();
  for (const s of sent.filter((x) => x.status === 202)) {
    acceptedIds.add(s.id!);
    const recorded = byUpdate.get(s.id!) ?? [];
    const expected = s.platforms ?? PLATFORMS;
    for (const platform of expected) {
      report.counts.accepted++;
      const row = recorded.find((r) => r.platform === platform);
      const what = `u${s.user} #${s.n} (${s.id}) on ${platform}`;
      if (!row) report.violations.outcomes.push(`${what}: accepted but not recorded`);
      else if (row.state === 'succeeded' || row.state === 'superseded') report.counts.applied++;
      else if (row.state === 'failed' && row.error_code) {
        report.counts.failedWithReason++;
        report.notes.failureCodes[row.error_code] = (report.notes.failureCodes[row.error_code] ?? 0) + 1;
      } else report.violations.outcomes.push(`${what}: ${row.state}${row.state === 'failed' ? ' without an error code' : ' (no final outcome)'}`);
    }
  }
  report.counts.lost = report.counts.accepted - report.counts.applied - report.counts.failedWithReason;

  // 4. Nothing the gateway refused (or never answered) was recorded anyway.
  for (const [updateId, rowsOfUpdate] of byUpdate) {
    if (acceptedIds.has(updateId)) continue;
    const row = rowsOfUpdate[0];
    const request = sent.find((s) => s.user === userBySubject.get(row.subject) && s.message !== null && s.message === row.message);
    report.violations.unacknowledged.push(
      `update ${updateId} (${row.kind} "${row.message}") was recorded (${rowsOfUpdate.map((r) => `${r.platform} ${r.state}`).join(', ')}) ` +
        `but the gateway answered ${request ? request.status : 'no 202'}`,
    );
  }

  // 5. Last write wins, on the platform as the user sees it, and in Postgres' own record.
  const writes = appliedWrites(stack);
  for (const user of stack.users) {
    for (const platform of PLATFORMS) {
      const list = deliveries.get(`${user.index}/${platform}`) ?? [];
      const newestApplied = list.map((row) => row.state).lastIndexOf('succeeded');
      const newer = list.slice(newestApplied + 1);
      // Supersede-on-claim (docs/decisions.md "Worker leases"): a claim finishes every older pending update as
      // superseded before the newest one is called, so when that newest one then fails for good, the ones it
      // overtook are superseded though nothing newer succeeded. Allowed only before a failed one, never last.
      newer.forEach((row, i) => {
        const overtaken = row.state === 'superseded' && newer.slice(i + 1).some((later) => later.state === 'failed');
        if (row.state !== 'failed' && !overtaken) {
          report.violations.lastWriteWins.push(`u${user.index} ${platform}: "${row.message}" is ${row.state} but newer than the newest applied update`);
        }
      });
      if (newer.length > 0) report.notes.lastUpdateFailed++;
      const expected = newestApplied >= 0 ? list[newestApplied] : null;
      const shown = platformShows(stack, user.index, platform);
      const wanted = expected && expected.kind === 'set' ? { message: expected.message, emoji: expected.emoji } : null;
      if (JSON.stringify(shown) !== JSON.stringify(wanted)) {
        report.violations.lastWriteWins.push(
          `u${user.index} ${platform} shows ${JSON.stringify(shown)}, expected ${JSON.stringify(wanted)} (update #${newestApplied} of ${list.length})`,
        );
      }
      // 6. The order in which the platform applied this user's statuses never goes back.
      checkOrder(writes.filter((w) => w.user === user.index && w.platform === platform), list, `u${user.index} ${platform}`, report);
    }
  }
  return report;
}

/** The summary line the issue asks for. */
export function summaryLine({ counts }: ChaosReport): string {
  return `accepted ${counts.accepted}, applied ${counts.applied}, failed-with-reason ${counts.failedWithReason}, lost ${counts.lost}`;
}

/** What the platform shows the user now: message and emoji, or null when there is no status. */
function platformShows(stack: ChaosStack, index: number, platform: Platform): { message: string | null; emoji: string | null } | null {
  const user = stack.users[index];
  if (platform === 'github') {
    const status = stack.github.statusOf(user.githubLogin);
    return status ? { message: status.message, emoji: status.emoji } : null;
  }
  const profile = stack.slack.profileOf(user.slackUserId);
  return profile.status_text === '' && profile.status_emoji === '' ? null : { message: profile.status_text, emoji: profile.status_emoji };
}

/**
 * Maps each applied write to the user's update it carried (messages are unique; a clear could be any of the
 * user's clears, so it is matched to the oldest clear not older than what was applied before: the most
 * lenient reading) and checks that the sequence never goes back. The same update twice in a row is a
 * duplicate, not a regression: the user sees no change.
 */
function checkOrder(writes: AppliedWrite[], updates: DeliveryRow[], who: string, report: ChaosReport): void {
  const byMessage = new Map(updates.map((row, index) => [row.message, index]));
  const clears = updates.flatMap((row, index) => (row.kind === 'clear' ? [index] : []));
  let current = -1;
  for (const write of writes) {
    if (write.late) report.notes.lateLandings++;
    const index = write.message === null ? clears.find((c) => c >= current) : byMessage.get(write.message);
    const label = (i: number) => `#${i} "${updates[i].message ?? 'clear'}"`;
    if (index === undefined) {
      report.violations.regressions.push(
        write.message === null
          ? `${who}: a clear applied after ${label(current)}, but the user asked for no clear after it`
          : `${who}: "${write.message}" applied, which is no update of this user to this platform`,
      );
    } else if (index < current) {
      report.violations.regressions.push(`${who}: ${label(index)} applied after ${label(current)}${write.late ? ' (it landed after our call had timed out)' : ''}`);
    } else {
      // Clears cannot be told apart on the wire, so only a repeated message counts as a duplicate.
      if (index === current && write.message !== null) {
        report.notes.duplicateWrites++;
        report.notes.duplicates.push(`${who}: ${label(index)}${write.late ? ' (late)' : ''}`);
      }
      current = index;
    }
  }
}

/** Status writes the platforms applied, from the taps, in the order the platforms applied them. */
export function appliedWrites(stack: ChaosStack): AppliedWrite[] {
  const githubUser = new Map(stack.users.map((u) => [u.githubToken, u.index]));
  const slackUser = new Map(stack.users.map((u) => [u.slackToken, u.index]));
  const applied = (tap: TapRecord[]) => tap.filter((r) => r.answerOrder !== null && r.status === 200).sort((a, b) => a.answerOrder! - b.answerOrder!);
  const writes: AppliedWrite[] = [];
  for (const record of applied(stack.githubTap.records)) {
    const user = githubUser.get(record.authorization?.replace(/^token\s+/i, '') ?? '');
    const request = parseJson(record.body) as { query?: string; variables?: { input?: { message?: string } } } | undefined;
    const answer = parseJson(record.response) as { data?: { changeUserStatus?: unknown }; errors?: unknown[] } | undefined;
    if (user === undefined || !request?.query?.includes('changeUserStatus') || !answer?.data?.changeUserStatus || answer.errors) continue;
    writes.push({ user, platform: 'github', message: request.variables?.input?.message ?? null, late: record.callerGone });
  }
  for (const record of applied(stack.slackTap.records)) {
    const user = slackUser.get(record.authorization?.replace(/^bearer\s+/i, '') ?? '');
    const answer = parseJson(record.response) as { ok?: boolean } | undefined;
    if (user === undefined || !record.path.endsWith('/users.profile.set') || answer?.ok !== true) continue;
    const params = record.contentType.includes('json') ? (parseJson(record.body) as Record<string, unknown>) : Object.fromEntries(new URLSearchParams(record.body));
    const profile = (typeof params?.profile === 'string' ? parseJson(params.profile) : params?.profile) as { status_text?: string } | undefined;
    writes.push({ user, platform: 'slack', message: profile?.status_text ? profile.status_text : null, late: record.callerGone });
  }
  return writes;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
