import { Module } from '@nestjs/common';
import { DbModule } from '@statusync/db';
import { QueueModule } from '@statusync/queue';
import { OAuthModule } from '../oauth/oauth.module';
import { CalendarConnectService } from './calendar-connect.service';
import { CalendarDefaultsController, CalendarDefaultsService } from './calendar-defaults.controller';
import { CalendarOAuthController } from './calendar-oauth.controller';
import { CalendarPushController } from './calendar-push.controller';
import { CalendarPushService } from './calendar-push.service';
import { CalendarsController } from './calendars.controller';
import { CalendarsService } from './calendars.service';

@Module({
  imports: [DbModule, QueueModule, OAuthModule],
  controllers: [CalendarsController, CalendarDefaultsController, CalendarOAuthController, CalendarPushController],
  providers: [CalendarsService, CalendarDefaultsService, CalendarConnectService, CalendarPushService],
})
export class CalendarsModule {}
