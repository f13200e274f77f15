import { Column, CreateDateColumn, Entity, Generated, PrimaryGeneratedColumn } from 'typeorm';

export type StatusUpdateKind = 'set' | 'clear';

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
