import { Column, CreateDateColumn, Entity, PrimaryColumn, UpdateDateColumn } from 'typeorm';

/**
 * `superseded`: a newer update reached the platform first, so this one was (rightly) not applied.
 * Every state but `pending` is final.
 */
export type DeliveryState = 'pending' | 'succeeded' | 'failed' | 'superseded';
export const FINAL_DELIVERY_STATES: DeliveryState[] = ['succeeded', 'failed', 'superseded'];

/** The outcome of one status update on one platform. */
@Entity('status_deliveries')
export class StatusDeliveryEntity {
  @PrimaryColumn({ name: 'update_id', type: 'uuid' })
  updateId: string;

  @PrimaryColumn({ type: 'text' })
  platform: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'text', default: 'pending' })
  state: DeliveryState;

  @Column({ type: 'int', default: 0 })
  attempts: number;

  /** The platform's own error code (e.g. `token_revoked`) when it failed. */
  @Column({ name: 'error_code', type: 'text', nullable: true })
  errorCode: string | null;

  @Column({ name: 'error_message', type: 'text', nullable: true })
  errorMessage: string | null;

  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
