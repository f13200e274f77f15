import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, UpdateDateColumn } from 'typeorm';

export type TemplateUntil = 'end_of_day';
/** Per-platform replacements of emoji and/or message, as on a status update. */
export type TemplateOverrides = Partial<Record<string, { emoji?: string; message?: string }>>;

/** A reusable status: a user's own (`userId`) or org-wide (`orgId`, no user; written by the org's admins). */
@Entity('status_templates')
export class StatusTemplateEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid', nullable: true })
  userId: string | null;

  @Column({ name: 'org_id', type: 'text', nullable: true })
  orgId: string | null;

  @Column({ type: 'text' })
  name: string;

  @Column({ type: 'text', nullable: true })
  emoji: string | null;

  @Column({ type: 'text', nullable: true })
  message: string | null;

  @Column({ name: 'limited_availability', type: 'boolean', default: false })
  limitedAvailability: boolean;

  @Column({ name: 'duration_minutes', type: 'int', nullable: true })
  durationMinutes: number | null;

  /** Instead of durationMinutes: until the end of the day in the user's zone. */
  @Column({ type: 'text', nullable: true })
  until: TemplateUntil | null;

  /** null = every configured platform. */
  @Column({ type: 'text', array: true, nullable: true })
  platforms: string[] | null;

  @Column({ type: 'jsonb', default: {} })
  overrides: TemplateOverrides;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
