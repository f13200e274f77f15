import { createHttpApp, listen, runMain } from '@statusync/core';
import { SyncWorkerModule } from './sync-worker.module';

runMain('sync-worker', async () => {
  const app = await createHttpApp(SyncWorkerModule);
  await listen(app, 'sync-worker', (config) => config.ports.syncWorker);
});
