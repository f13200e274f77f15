import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export class CalendarRulesView {
  @ApiProperty({ example: false })
  includeAllDay: boolean;

  @ApiProperty({ example: false })
  includeTitles: boolean;

  @ApiProperty({ enum: ['out_of_office', 'meeting', 'focus'], isArray: true, example: ['out_of_office', 'meeting', 'focus'] })
  kinds: string[];

  @ApiProperty({ example: false })
  focusDnd: boolean;
}

export class CalendarView {
  @ApiProperty({ example: 'c0ffee00-4f3a-4c5b-8d6e-7f8091a2b3c4' })
  id: string;

  @ApiProperty({ enum: ['ics', 'google', 'microsoft'], example: 'ics' })
  type: string;

  @ApiProperty({
    enum: ['connecting', 'pending', 'active', 'broken', 'reauth_required'],
    example: 'active',
    description: '`connecting`: a Google/Microsoft calendar waiting for your approval at the provider; `pending` until the first read; `broken` when the calendar cannot be read (see lastError; for Google/Microsoft reconnect with `POST /config/calendars/{id}/authorize`)',
  })
  state: string;

  @ApiProperty({ type: String, nullable: true, example: 'https://calendar.example.com/…', description: 'ICS: the feed address with its secret part removed; null for Google/Microsoft' })
  url: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'ada@example.com'})
  ownerEmail: string | null;

  @ApiProperty({ type: CalendarRulesView })
  rules: CalendarRulesView;

  @ApiProperty({ type: String, nullable: true, example: null, format: 'date-time'})
  lastFetchedAt: string | null;

  @ApiProperty({ type: String, nullable: true, example: null, format: 'date-time'})
  nextFetchAt: string | null;

  @ApiProperty({ type: String, nullable: true, example: null, description: 'Why the last read failed, in words meant for the user'})
  lastError: string | null;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class BusySegmentView {
  @ApiProperty({ format: 'date-time' })
  start: string;

  @ApiProperty({ format: 'date-time' })
  end: string;

  @ApiProperty({ enum: ['out_of_office', 'meeting', 'focus'] })
  kind: string;
}

export class BusySpanView extends BusySegmentView {
  @ApiProperty({ type: BusySegmentView, isArray: true, description: 'The span cut where its kind changes' })
  segments: BusySegmentView[];

  @ApiPropertyOptional({ type: 'string', isArray: true, description: 'Only with the includeTitles rule, never for private events' })
  titles?: string[];
}

export class IgnoredEventView {
  @ApiProperty({ type: String, nullable: true, format: 'date-time'})
  start: string | null;

  @ApiProperty({ type: String, nullable: true, format: 'date-time'})
  end: string | null;

  @ApiProperty({ example: 'declined', description: 'cancelled, declined, delegated, tentative, free, all-day, working-location, zero-length, superseded, scheduling-message, unparseable' })
  reason: string;

  @ApiPropertyOptional()
  title?: string;

  @ApiPropertyOptional({ description: 'What could not be read (reason unparseable)' })
  detail?: string;
}

export class CalendarPreviewView {
  @ApiProperty({ type: BusySpanView, isArray: true, description: 'Merged busy spans, UTC, clipped to [from, to)' })
  busy: BusySpanView[];

  @ApiProperty({ type: IgnoredEventView, isArray: true, description: 'Every event that does not make you busy, and why' })
  ignored: IgnoredEventView[];
}

/** Where to send the person's browser to approve a Google/Microsoft calendar. */
export class CalendarAuthorizeView {
  @ApiProperty({
    description: "The provider's authorize URL with a signed, single-use `state`. Open it in the person's browser; the provider sends it back to `/api/v1/oauth/calendars/{type}/callback`.",
    example: 'https://accounts.google.com/o/oauth2/v2/auth?client_id=123.apps.googleusercontent.com&response_type=code&redirect_uri=https%3A%2F%2Fstatusync.example.com%2Fapi%2Fv1%2Foauth%2Fcalendars%2Fgoogle%2Fcallback&scope=https%3A%2F%2Fwww.googleapis.com%2Fauth%2Fcalendar.readonly&state=…&code_challenge=…&code_challenge_method=S256&access_type=offline&prompt=consent',
  })
  authorizeUrl: string;

  @ApiProperty({ format: 'date-time', description: 'The state (and so this URL) stops working at this time; ask for a new one after.', example: '2026-11-24T10:10:00.000Z' })
  expiresAt: string;
}

export class CalendarCreatedView extends CalendarView {
  @ApiProperty({
    type: String,
    nullable: true,
    example: null,
    description: "Google/Microsoft: the provider's authorize URL to open in the person's browser (the calendar is `connecting` until the callback); null for ICS",
  })
  authorizeUrl: string | null;
}
