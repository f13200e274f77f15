import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

export type SyncOutcome = 'succeeded' | 'retrying' | 'failed' | 'superseded';

/** One attempt to push one update to one platform. Never holds a token. */
@Entity('sync_logs')
export class SyncLogEntity {
  @PrimaryGeneratedColumn({ type: 'bigint' })
  id: string;

  @Column({ name: 'update_id', type: 'uuid' })
  updateId: string;

  @Column({ type: 'text' })
  platform: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'int' })
  attempt: number;

  @Column({ type: 'text' })
  outcome: SyncOutcome;

  @Column({ name: 'error_code', type: 'text', nullable: true })
  errorCode: string | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage: string | null;

  /** The wait the platform asked for, when it rate-limited us. */
  @Column({ name: 'retry_after_ms', type: 'int', nullable: true })
  retryAfterMs: number | null;

  @Column({ name: 'duration_ms', type: 'int' })
  durationMs: number;

  @Column({ name: 'request_id', type: 'text', nullable: true })
  requestId: string | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
