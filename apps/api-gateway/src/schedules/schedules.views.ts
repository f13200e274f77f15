import { ApiProperty } from '@nestjs/swagger';
import { timestampExample } from '../http/openapi-timestamps';

export class OccurrenceView {
  @ApiProperty({ example: timestampExample(1), format: 'date-time' })
  startsAt: string;

  @ApiProperty({ type: String, example: timestampExample(2), format: 'date-time', nullable: true})
  endsAt: string | null;
}

export class ScheduledStatusView {
  @ApiProperty({ type: String, example: ':sandwich:', nullable: true})
  emoji: string | null;

  @ApiProperty({ type: String, example: 'Lunch', nullable: true})
  message: string | null;

  @ApiProperty({ example: true })
  limitedAvailability: boolean;

  @ApiProperty({ example: ['github', 'slack'], nullable: true, isArray: true, type: String, description: 'null: every configured platform' })
  platforms: string[] | null;
}

export class ScheduleView {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: timestampExample(1), format: 'date-time' })
  startsAt: string;

  @ApiProperty({ type: String, example: timestampExample(2), format: 'date-time', nullable: true})
  endsAt: string | null;

  @ApiProperty({ type: String, example: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', nullable: true})
  rrule: string | null;

  @ApiProperty({ example: 'Europe/Berlin' })
  timeZone: string;

  @ApiProperty({ type: ScheduledStatusView })
  status: ScheduledStatusView;

  @ApiProperty({ type: String, format: 'uuid', nullable: true})
  templateId: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'Lunch'})
  templateName: string | null;

  @ApiProperty({ type: OccurrenceView, isArray: true, description: 'The next occurrences (at most 5)' })
  nextOccurrences: OccurrenceView[];

  @ApiProperty({ example: timestampExample(0), format: 'date-time' })
  createdAt: string;
}

export class OccurrencesView {
  @ApiProperty({ type: OccurrenceView, isArray: true })
  occurrences: OccurrenceView[];

  @ApiProperty({ description: 'More occurrences fall in the window than one answer holds (500)' })
  truncated: boolean;
}
