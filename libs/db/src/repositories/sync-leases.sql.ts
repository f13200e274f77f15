/**
 * The lease statements (see sync-leases.repository.ts). Every one is a single statement, holding the config row's
 * lock only for that statement; the claim and the settle are functions that scope themselves, so each is one round
 * trip with no transaction around it.
 */

/**
 * $1 user, $2 platform, $3 the job's update, $4 lease in ms: statusync_claim_delivery (migration 1764000015000), one
 * round trip that scopes itself to the user. The row is claimed only when no lease is running. The newest pending
 * delivery of this user and platform (or the update already applied) overtakes every older pending one: those
 * finish there, with a sync log each, so a burst becomes one call. The lease is taken only when the job's own
 * delivery is that newest one; otherwise the token still moves on, so a settle from an earlier holder fails. A
 * leased claim also returns the update and the user's live audience.
 */
export const CLAIM_SQL = `SELECT statusync_claim_delivery($1, $2, $3, $4) AS claim`;

/**
 * $1 user, $2 platform, $3 update, $4 outcome, $5 seq, $6 token, $7 attempt, $8 error code, $9 error message,
 * $10 retry after, $11 duration, $12 request id, $13 keep the lease, $14 the platform's receipt (jsonb or null),
 * $15 webhook events (jsonb array or null): statusync_settle_delivery, one round trip that scopes itself. Nothing is
 * written unless the token is still ours: the applied update and the receipt (a success), the delivery's state, the
 * attempt's sync log, the lease's end and the webhook deliveries. Answers `{settled, webhookDeliveries}`.
 */
export const SETTLE_SQL = `SELECT statusync_settle_delivery($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) AS settled`;

/**
 * $1 a jsonb array of claims ({userId, platform, updateId, leaseMs}): statusync_claim_deliveries (migration
 * 1764000016200), CLAIM_SQL for each in one statement, in (user, platform) order; one row per claim, `i` from 1.
 */
export const CLAIM_MANY_SQL = `SELECT i, claim FROM statusync_claim_deliveries($1::jsonb)`;

/** $1 a jsonb array of SETTLE_SQL's arguments by name: statusync_settle_deliveries, as CLAIM_MANY_SQL. */
export const SETTLE_MANY_SQL = `SELECT i, settled FROM statusync_settle_deliveries($1::jsonb)`;

/** $1 user, $2 platform, $3 token. */
export const RELEASE_SQL = `UPDATE platform_configs SET lease_until = NULL WHERE user_id = $1 AND platform = $2 AND lease_token = $3::bigint`;

/** $1 user, $2 platform, $3 token, $4 lease in ms. */
export const EXTEND_SQL = `
UPDATE platform_configs SET lease_until = clock_timestamp() + $4 * interval '1 millisecond'
WHERE user_id = $1 AND platform = $2 AND lease_token = $3::bigint RETURNING id`;

/** $1 config id, $2 token, $3 the refresh token spent, $4.. the new sealed pair and expiry. */
export const STORE_REFRESHED_SQL = `
UPDATE platform_configs SET token_ciphertext = $4, token_key_id = $5, refresh_token_ciphertext = $6, refresh_token_key_id = $7,
  token_expires_at = $8, updated_at = now()
WHERE id = $1 AND (lease_token = $2::bigint OR refresh_token_ciphertext = $3) RETURNING id`;
