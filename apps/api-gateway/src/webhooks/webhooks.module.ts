import { Module } from '@nestjs/common';
import { DbModule } from '@statusync/db';
import { WebhookProducer } from '@statusync/queue';
import { WebhooksController } from './webhooks.controller';
import { WebhooksService } from './webhooks.service';

@Module({
  imports: [DbModule],
  controllers: [WebhooksController],
  providers: [WebhooksService, WebhookProducer],
})
export class WebhooksModule {}
