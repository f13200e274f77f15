import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn, Unique, UpdateDateColumn } from 'typeorm';

export type PlatformConfigState = 'active' | 'reauth_required';
/** How the token was obtained: pasted by the user, or through the platform's OAuth flow. */
export type ConnectedVia = 'token' | 'oauth';

/** One user's connection to one platform. The token is only ever stored encrypted (AES-256-GCM). */
@Entity('platform_configs')
@Unique('uq_platform_configs_user_platform', ['userId', 'platform'])
export class PlatformConfigEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  @Column({ name: 'user_id', type: 'uuid' })
  userId: string;

  @Column({ type: 'text' })
  platform: string;

  @Column({ name: 'account_id', type: 'text' })
  accountId: string;

  @Column({ name: 'account_name', type: 'text' })
  accountName: string;

  /** nonce ‖ ciphertext ‖ tag; see TokenCipher. */
  @Column({ name: 'token_ciphertext', type: 'bytea', select: false })
  tokenCiphertext: Buffer;

  @Column({ name: 'token_key_id', type: 'text' })
  tokenKeyId: string;

  /** Rotating providers only (Slack token rotation): the newest refresh token, sealed like the token. */
  @Column({ name: 'refresh_token_ciphertext', type: 'bytea', nullable: true, select: false })
  refreshTokenCiphertext: Buffer | null;

  @Column({ name: 'refresh_token_key_id', type: 'text', nullable: true })
  refreshTokenKeyId: string | null;

  /** When the access token stops working; null when it does not expire. */
  @Column({ name: 'token_expires_at', type: 'timestamptz', nullable: true })
  tokenExpiresAt: Date | null;

  @Column({ name: 'connected_via', type: 'text', default: 'token' })
  connectedVia: ConnectedVia;

  @Column({ type: 'text', default: 'active' })
  state: PlatformConfigState;

  @Column({ name: 'reauth_reason', type: 'text', nullable: true })
  reauthReason: string | null;

  /** The newest update applied on this platform: last write wins against it. */
  @Column({ name: 'applied_update_id', type: 'uuid', nullable: true })
  appliedUpdateId: string | null;

  @Column({ name: 'applied_seq', type: 'bigint', nullable: true })
  appliedSeq: string | null;

  @Column({ name: 'applied_at', type: 'timestamptz', nullable: true })
  appliedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ name: 'updated_at', type: 'timestamptz' })
  updatedAt: Date;
}
