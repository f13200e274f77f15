/**
 * The lease statements (see sync-leases.repository.ts). Every one is a single statement, so a claim or a settle is
 * one round trip inside the user's scope and holds the config row's lock only for that statement.
 */

/**
 * $1 user, $2 platform, $3 the job's update, $4 lease in ms. The row is claimed only when no lease is running. The
 * newest pending delivery of this user and platform (or the update already applied) overtakes every older pending
 * one: those finish here, with a sync log each, so a burst becomes one call. The lease is taken only when the job's
 * own delivery is that newest one; otherwise the token still moves on, so a settle from an earlier holder fails.
 */
export const CLAIM_SQL = `
WITH own AS (
  SELECT u.seq, d.state, d.attempts FROM status_deliveries d JOIN status_updates u ON u.id = d.update_id
  WHERE d.update_id = $3 AND d.platform = $2 AND d.user_id = $1
),
newest AS (
  SELECT max(u.seq) AS seq FROM status_deliveries d JOIN status_updates u ON u.id = d.update_id
  WHERE d.user_id = $1 AND d.platform = $2 AND d.state = 'pending'
),
claim AS (
  UPDATE platform_configs c
  SET lease_token = c.lease_token + 1,
      lease_until = CASE WHEN own.seq >= newest.seq AND own.seq > coalesce(c.applied_seq, 0)
                         THEN clock_timestamp() + $4 * interval '1 millisecond' END
  FROM own, newest
  WHERE c.user_id = $1 AND c.platform = $2 AND own.state = 'pending'
    AND (c.lease_until IS NULL OR c.lease_until <= clock_timestamp())
  RETURNING c.*
),
finished AS (
  UPDATE status_deliveries d
  SET state = CASE WHEN d.update_id = claim.applied_update_id THEN 'succeeded' ELSE 'superseded' END,
      attempts = d.attempts + 1, error_code = NULL, error_message = NULL, updated_at = now(), completed_at = clock_timestamp()
  FROM status_updates u, claim, newest
  WHERE u.id = d.update_id AND d.user_id = $1 AND d.platform = $2 AND d.state = 'pending'
    AND (u.seq < newest.seq OR u.seq <= coalesce(claim.applied_seq, 0))
  RETURNING d.update_id, d.user_id, d.attempts, d.state, u.request_id
),
logs AS (
  INSERT INTO sync_logs (update_id, platform, user_id, attempt, outcome, duration_ms, request_id)
  SELECT update_id, $2, user_id, attempts, state, 0, request_id FROM finished
)
SELECT own.state AS own_state, own.attempts AS own_attempts,
       EXISTS (SELECT 1 FROM platform_configs WHERE user_id = $1 AND platform = $2) AS configured,
       (SELECT lease_until FROM platform_configs WHERE user_id = $1 AND platform = $2) AS busy_until,
       clock_timestamp() AS now,
       (SELECT coalesce(json_agg(json_build_object('updateId', update_id, 'state', state)), '[]'::json) FROM finished) AS finished,
       claim.lease_token::text AS token, claim.lease_until IS NOT NULL AS leased,
       CASE WHEN claim.id IS NULL THEN NULL ELSE to_jsonb(claim) END AS config
FROM (SELECT 1) AS one LEFT JOIN own ON true LEFT JOIN claim ON true`;

/**
 * $1 user, $2 platform, $3 update, $4 outcome, $5 seq, $6 token, $7 attempt, $8 error code, $9 error message,
 * $10 retry after, $11 duration, $12 request id, $13 keep the lease. Nothing is written unless the token is still
 * ours: the applied update (a success), the delivery's state, the attempt's sync log and the lease's end. The log's
 * `created_at` is when the attempt started (as when the attempt was one transaction), so `created_at + duration_ms`
 * is when it ended and the wait before the next attempt can be read from the log.
 */
export const SETTLE_SQL = `
WITH cfg AS (
  UPDATE platform_configs
  SET lease_until = CASE WHEN $13::boolean THEN lease_until END,
      applied_update_id = CASE WHEN $4::text = 'succeeded' THEN $3::uuid ELSE applied_update_id END,
      applied_seq = CASE WHEN $4::text = 'succeeded' THEN $5::bigint ELSE applied_seq END,
      applied_at = CASE WHEN $4::text = 'succeeded' THEN now() ELSE applied_at END,
      updated_at = now()
  WHERE user_id = $1 AND platform = $2 AND lease_token = $6::bigint
  RETURNING id
),
delivery AS (
  UPDATE status_deliveries
  SET state = CASE WHEN $4::text = 'retrying' THEN 'pending' ELSE $4::text END, attempts = $7, error_code = $8, error_message = $9,
      updated_at = now(), completed_at = CASE WHEN $4::text = 'retrying' THEN NULL ELSE clock_timestamp() END
  WHERE update_id = $3 AND platform = $2 AND state = 'pending' AND EXISTS (SELECT 1 FROM cfg)
  RETURNING 1
),
log AS (
  INSERT INTO sync_logs (update_id, platform, user_id, attempt, outcome, error_code, error_message, retry_after_ms, duration_ms, request_id, created_at)
  SELECT $3, $2, $1, $7, $4, $8, $9, $10, $11::int, $12, clock_timestamp() - make_interval(secs => $11::int / 1000.0) FROM cfg
)
SELECT count(*)::int AS settled FROM cfg`;

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
