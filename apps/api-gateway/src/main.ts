import { RequestMethod } from '@nestjs/common';
import { APP_CONFIG, AppConfig, createHttpApp, listen, runMain } from '@statusync/core';
import { StatusSyncProducer } from '@statusync/queue';
import { Logger } from 'nestjs-pino';
import { ApiGatewayModule } from './api-gateway.module';
import { mountBullBoard } from './http/bull-board';
import { mountOpenApi } from './http/openapi';
import { strictValidationPipe } from './http/validation';

runMain('api-gateway', async () => {
  const app = await createHttpApp(ApiGatewayModule);
  app.setGlobalPrefix('api/v1', {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
    ],
  });
  app.useGlobalPipes(strictValidationPipe());
  mountOpenApi(app);
  const board = await mountBullBoard(app, app.get(StatusSyncProducer).allQueues(), app.get<AppConfig>(APP_CONFIG));
  app.get(Logger).log(`Bull Board ${board}`, 'api-gateway');
  await listen(app, 'api-gateway', (config) => config.ports.apiGateway);
});
