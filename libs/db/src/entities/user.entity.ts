import { Column, CreateDateColumn, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A person, created the first time their identity-provider subject (`sub`) is seen. */
@Entity('users')
export class UserEntity {
  @PrimaryGeneratedColumn('uuid')
  id: string;

  /** The JWT `sub` claim. */
  @Column({ type: 'text', unique: true })
  subject: string;

  @Column({ name: 'org_id', type: 'text', nullable: true })
  orgId: string | null;

  /** IANA zone for placeholders, local times and floating calendar times. */
  @Column({ name: 'time_zone', type: 'text', default: 'UTC' })
  timeZone: string;

  @Column({ name: 'working_hours', type: 'jsonb', nullable: true })
  workingHours: Record<string, unknown> | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
