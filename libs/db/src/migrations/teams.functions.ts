/**
 * The two SECURITY DEFINER functions of teams, as shipped by migration 1764000005000 (never edit them here:
 * a change is a new migration). Both run as statusync_system with a fixed search_path.
 */

/**
 * The user id for a subject an org admin names as a team member: creates the user in the caller's org on first
 * sight (only when `p_create`: removing a member must not create anyone); NULL when the subject is unknown (and not
 * created) or already known outside that org (or with no org), which the API answers 409 on PUT and 404 on DELETE.
 */
export const ORG_MEMBER_FUNCTION = (schema: string) => `
  CREATE FUNCTION statusync_org_member_id(p_subject text, p_create boolean) RETURNS uuid
  LANGUAGE plpgsql SECURITY DEFINER SET search_path = "${schema}", pg_temp AS $$
  DECLARE
    caller_org text := statusync_current_org_id();
    found_id uuid;
    found_org text;
  BEGIN
    IF caller_org IS NULL OR statusync_current_role() <> 'admin' THEN RETURN NULL; END IF;
    IF p_create THEN
      INSERT INTO users (subject, org_id) VALUES (p_subject, caller_org) ON CONFLICT (subject) DO NOTHING RETURNING id INTO found_id;
      IF found_id IS NOT NULL THEN RETURN found_id; END IF;
    END IF;
    SELECT id, org_id INTO found_id, found_org FROM users WHERE subject = p_subject;
    RETURN CASE WHEN found_org = caller_org THEN found_id END;
  END $$`;

/**
 * One page of a team's members with everything availability needs, in one statement (one plan whatever the
 * team size): the latest update, and per connected platform the config, the last applied update, the latest
 * delivery and what the platform was last seen showing. Keyset by subject. Returns nothing unless the caller
 * is in the team's org and is an admin of it or a member of the team. `p_subject` narrows to one member
 * (live streams).
 */
export const TEAM_AVAILABILITY_FUNCTION = (schema: string) => `
  CREATE FUNCTION statusync_team_availability(p_team_id uuid, p_after_subject text, p_limit int, p_subject text)
  RETURNS TABLE (user_id uuid, subject text, time_zone text, latest jsonb, platforms jsonb)
  LANGUAGE sql STABLE SECURITY DEFINER SET search_path = "${schema}", pg_temp AS $$
    SELECT u.id, u.subject, u.time_zone,
      (SELECT jsonb_build_object('id', s.id, 'kind', s.kind, 'emoji', s.emoji, 'message', s.message,
          'limitedAvailability', s.limited_availability, 'expiresAt', s.expires_at, 'source', s.source, 'preset', s.preset,
          'templateName', s.template_name, 'overrides', s.platform_overrides, 'platforms', s.platforms)
        FROM status_updates s WHERE s.user_id = u.id ORDER BY s.seq DESC LIMIT 1),
      COALESCE((SELECT jsonb_agg(jsonb_build_object(
          'platform', c.platform, 'configState', c.state,
          'seenEmoji', c.seen_emoji, 'seenMessage', c.seen_message, 'seenExpiresAt', c.seen_expires_at, 'seenAt', c.seen_at,
          'applied', CASE WHEN a.id IS NULL THEN NULL ELSE jsonb_build_object('kind', a.kind, 'emoji', a.emoji, 'message', a.message,
            'expiresAt', a.expires_at, 'overrides', a.platform_overrides) END,
          'delivery', (SELECT jsonb_build_object('state', d.state, 'errorCode', d.error_code)
             FROM status_updates ds JOIN status_deliveries d ON d.update_id = ds.id AND d.platform = c.platform
             WHERE ds.user_id = u.id AND c.platform = ANY (ds.platforms) ORDER BY ds.seq DESC LIMIT 1)
        ) ORDER BY c.platform)
        FROM platform_configs c LEFT JOIN status_updates a ON a.id = c.applied_update_id WHERE c.user_id = u.id), '[]'::jsonb)
    FROM teams t
    JOIN team_members m ON m.team_id = t.id
    JOIN users u ON u.id = m.user_id AND u.org_id = t.org_id
    WHERE t.id = p_team_id
      AND t.org_id = statusync_current_org_id()
      AND (statusync_current_role() = 'admin'
           OR EXISTS (SELECT 1 FROM team_members me WHERE me.team_id = t.id AND me.user_id = statusync_current_user_id()))
      AND (p_after_subject IS NULL OR u.subject > p_after_subject)
      AND (p_subject IS NULL OR u.subject = p_subject)
    ORDER BY u.subject
    LIMIT p_limit
  $$`;
