import { Injectable } from '@nestjs/common';
import { SpanRow, WebhookDeliveryTarget } from '@statusync/db';
import { webhookEvent, WebhookEmitter, WebhookEvent } from '@statusync/queue';

/** Edge outcomes after which the span did not start (or never showed): no meeting event. */
const NOT_STARTED = new Set(['cancelled', 'missed', 'not-started']);

/**
 * `calendar.meeting_started` / `calendar.meeting_ended` for spans that come from a calendar, recorded in the edge's
 * own transaction by the statement that settles the edge (an edge fires once, so its event is recorded once; the key
 * names span and edge as well).
 */
@Injectable()
export class CalendarWebhookEvents {
  constructor(private readonly webhooks: WebhookEmitter) {}

  /** `subject`: the span's user's, as the edge's first statement read it. */
  eventsFor(span: SpanRow, edge: 'start' | 'end', outcome: string, subject: string | null): WebhookEvent[] {
    if (span.source !== 'calendar' || NOT_STARTED.has(outcome)) return [];
    const type = edge === 'start' ? 'calendar.meeting_started' : 'calendar.meeting_ended';
    const data = {
      subject,
      calendarId: span.sourceId,
      spanId: span.id,
      startsAt: span.startsAt.toISOString(),
      endsAt: span.endsAt ? span.endsAt.toISOString() : null,
      emoji: span.status.emoji,
      message: span.status.message,
    };
    return [webhookEvent(type, `${type}.${span.id}.${edge === 'start' ? span.startsAt.getTime() : span.endsAt?.getTime()}`, data)];
  }

  dispatch(targets: WebhookDeliveryTarget[]): Promise<void> {
    return this.webhooks.dispatch(targets);
  }
}
