import { PlatformConfigEntity } from './platform-config.entity';
import { ScheduledStatusEntity } from './scheduled-status.entity';
import { StatusDeliveryEntity } from './status-delivery.entity';
import { StatusTemplateEntity } from './status-template.entity';
import { StatusUpdateEntity } from './status-update.entity';
import { SyncLogEntity } from './sync-log.entity';
import { UserEntity } from './user.entity';

export * from './platform-config.entity';
export * from './scheduled-status.entity';
export * from './status-delivery.entity';
export * from './status-template.entity';
export * from './status-update.entity';
export * from './sync-log.entity';
export * from './user.entity';

export const ENTITIES = [
  UserEntity,
  PlatformConfigEntity,
  StatusUpdateEntity,
  StatusDeliveryEntity,
  SyncLogEntity,
  StatusTemplateEntity,
  ScheduledStatusEntity,
];
