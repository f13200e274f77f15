import { createHttpApp, listen, runMain } from '@statusync/core';
import { SchedulerModule } from './scheduler.module';

runMain('scheduler', async () => {
  const app = await createHttpApp(SchedulerModule);
  await listen(app, 'scheduler', (config) => config.ports.scheduler);
});
