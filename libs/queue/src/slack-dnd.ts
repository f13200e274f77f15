/**
 * Slack Do Not Disturb for focus time (docs/decisions.md §31): the span engine's edges ask the sync worker to
 * snooze Slack notifications (`dnd.setSnooze`) when a focus span starts and to end the snooze when it ends. The
 * jobs ride the Slack status-sync queue, so they share its workers, retries and backoff. Names are stored in
 * Redis: never change them.
 */
export const SLACK_DND_JOB = 'slack-dnd';

export interface SlackDndJob {
  userId: string;
  spanId: string;
  /** `snooze` for the span's remaining minutes (read when the job runs), `end` to end it. */
  action: 'snooze' | 'end';
}

/** One job per span and action: a re-fired edge or a second replica enqueues the same job (a no-op). */
export const slackDndJobId = (job: SlackDndJob) => `dnd.${job.spanId}.${job.action}`;
