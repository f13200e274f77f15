import { RequestMethod } from '@nestjs/common';
import { APP_CONFIG, AppConfig, createHttpApp, listen, runMain } from '@statusync/core';
import { StatusSyncProducer } from '@statusync/queue';
import { Logger } from 'nestjs-pino';
import { ApiGatewayModule } from './api-gateway.module';
import { JwtStrategy } from './auth/jwt.strategy';
import { verifyBearer } from './auth/verify-bearer';
import { BULL_BOARD_PATH, mountBullBoard } from './http/bull-board';
import { enableStrictCors } from './http/cors';
import { isDocsUrl, mountOpenApi } from './http/openapi';
import { registerSecurityHeaders } from './http/security-headers';
import { strictValidationPipe } from './http/validation';
import { limitPublicPaths } from './rate-limit/public-paths.limit';
import { RateLimits } from './rate-limit/rate-limits';

runMain('api-gateway', async () => {
  const app = await createHttpApp(ApiGatewayModule);
  const config = app.get<AppConfig>(APP_CONFIG);
  const logger = app.get(Logger);
  // Before any route is added: the docs and Bull Board routes get the page policy as they are registered.
  await registerSecurityHeaders(app, (url) => isDocsUrl(url) || url.startsWith(BULL_BOARD_PATH));
  logger.log(`CORS ${enableStrictCors(app, config.http.corsOrigins)}`, 'api-gateway');
  limitPublicPaths(app, app.get(RateLimits), isDocsUrl);
  app.setGlobalPrefix('api/v1', {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
    ],
  });
  app.useGlobalPipes(strictValidationPipe());
  mountOpenApi(app);
  const strategy = app.get(JwtStrategy);
  const board = await mountBullBoard(app, app.get(StatusSyncProducer).allQueues(), config, (request) => verifyBearer(strategy, request));
  logger.log(`Bull Board ${board}`, 'api-gateway');
  await listen(app, 'api-gateway', ({ ports }) => ports.apiGateway);
});
