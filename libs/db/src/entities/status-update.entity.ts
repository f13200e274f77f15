import { Column, CreateDateColumn, Entity, Generated, PrimaryGeneratedColumn } from 'typeorm';

export type StatusUpdateKind = 'set' | 'clear';
/** Where an update came from; analytics and team availability show it. */
export type StatusUpdateSource = 'manual' | 'preset' | 'template' | 'schedule' | 'calendar';
/** Per-platform replacements of emoji and/or message (a workspace custom emoji on Slack only, say). */
export type PlatformOverrides = Partial<Record<string, { emoji?: string; message?: string }>>;

/** One requested status change (API call, preset, schedule or calendar), fanned out to its platforms. */
@Entity('status_updates')
export class StatusUpdateEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** Global, increasing order of requests: decides last-write-wins and pages history. */
  @Column({ type: 'bigint', unique: true, insert: false, update: false })
  @Generated('increment')
  seq: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'text' })
  kind: StatusUpdateKind;

  /** Preset name when the update came from one (`busy`, ...). */
  @Column({ type: 'text', nullable: true })
  preset: string | null;

  @Column({ type: 'text', default: 'manual' })
  source: StatusUpdateSource;

  /** The template it was applied from, as it was then (the template may change or go later). */
  @Column({ name: 'template_id', type: 'uuid', nullable: true })
  templateId: string | null;

  @Column({ name: 'template_name', type: 'text', nullable: true })
  templateName: string | null;

  @Column({ name: 'platform_overrides', type: 'jsonb', nullable: true })
  platformOverrides: PlatformOverrides | null;

  @Column({ type: 'text', nullable: true })
  emoji: string | null;

  @Column({ type: 'text', nullable: true })
  message: string | null;

  @Column({ name: 'limited_availability', type: 'boolean', default: false })
  limitedAvailability: boolean;

  @Column({ name: 'expires_at', type: 'timestamptz', nullable: true })
  expiresAt: Date | null;

  @Column({ type: 'text', array: true })
  platforms: string[];

  @Column({ name: 'idempotency_key', type: 'text', nullable: true })
  idempotencyKey: string | null;

  @Column({ name: 'request_fingerprint', type: 'text', nullable: true })
  requestFingerprint: string | null;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
