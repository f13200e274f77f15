import { createHttpApp, listen, runMain } from '@statusync/core';
import { CalendarPollerModule } from './calendar-poller.module';

runMain('calendar-poller', async () => {
  const app = await createHttpApp(CalendarPollerModule);
  await listen(app, 'calendar-poller', (config) => config.ports.calendarPoller);
});
