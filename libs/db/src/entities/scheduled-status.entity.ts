import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type ScheduledStatusState = 'scheduled' | 'active' | 'done' | 'cancelled';

/** A scheduled status (its first occurrence, and a rule when it repeats); its occurrences are status_spans. Raw SQL lives in SchedulesRepository. */
@Entity('scheduled_statuses')
export class ScheduledStatusEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ name: 'template_id', type: 'uuid', nullable: true })
  templateId: string | null;

  @Column({ type: 'text', nullable: true })
  emoji: string | null;

  @Column({ type: 'text', nullable: true })
  message: string | null;

  @Column({ name: 'limited_availability', type: 'boolean', default: false })
  limitedAvailability: boolean;

  /** null: every configured platform at the time it starts. */
  @Column({ type: 'text', array: true, nullable: true })
  platforms: string[] | null;

  @Column({ name: 'starts_at', type: 'timestamptz' })
  startsAt: Date;

  @Column({ name: 'ends_at', type: 'timestamptz', nullable: true })
  endsAt: Date | null;

  /** RFC 5545 RRULE repeating from startsAt in `timeZone`; null: once. */
  @Column({ type: 'text', nullable: true })
  rrule: string | null;

  @Column({ name: 'time_zone', type: 'text', nullable: true })
  timeZone: string | null;

  @Column({ name: 'template_name', type: 'text', nullable: true })
  templateName: string | null;

  @Column({ type: 'text', default: 'scheduled' })
  state: ScheduledStatusState;

  @Column({ name: 'start_update_id', type: 'uuid', nullable: true })
  startUpdateId: string | null;

  @Column({ name: 'end_update_id', type: 'uuid', nullable: true })
  endUpdateId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
