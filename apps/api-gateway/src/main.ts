import { RequestMethod } from '@nestjs/common';
import { APP_CONFIG, AppConfig, createHttpApp, listen, loadConfig, runMain } from '@statusync/core';
import { StatusSyncProducer, WebhookProducer } from '@statusync/queue';
import { Logger } from 'nestjs-pino';
import { ApiGatewayModule } from './api-gateway.module';
import { JwtStrategy } from './auth/jwt.strategy';
import { verifyBearer } from './auth/verify-bearer';
import { BULL_BOARD_PATH, mountBullBoard } from './http/bull-board';
import { enableStrictCors } from './http/cors';
import { isDocsUrl, mountOpenApi } from './http/openapi';
import { registerSecurityHeaders } from './http/security-headers';
import { strictValidationPipe } from './http/validation';
import { isAppUrl, mountWebApp } from './http/web-app';
import { acceptPushValidationBodies } from './calendars/push-body-parser';
import { limitPublicPaths } from './rate-limit/public-paths.limit';
import { RateLimits } from './rate-limit/rate-limits';

runMain('api-gateway', async () => {
  // Which routes exist depends on the environment (development tokens): read from the validated configuration.
  const app = await createHttpApp(ApiGatewayModule.forEnvironment(loadConfig().env));
  const config = app.get<AppConfig>(APP_CONFIG);
  const logger = app.get(Logger);
  // Before any route is added: the docs, Bull Board and web page routes get their page policies as they are registered.
  await registerSecurityHeaders(app, { isUiRoute: (url) => isDocsUrl(url) || url.startsWith(BULL_BOARD_PATH), isAppRoute: isAppUrl });
  logger.log(`CORS ${enableStrictCors(app, config.http.corsOrigins)}`, 'api-gateway');
  // Not the web page's files: static and cheap, and a 429 on one of its modules would break the page.
  limitPublicPaths(app, app.get(RateLimits), isDocsUrl);
  app.setGlobalPrefix('api/v1', {
    exclude: [
      { path: 'health/live', method: RequestMethod.GET },
      { path: 'health/ready', method: RequestMethod.GET },
    ],
  });
  app.useGlobalPipes(strictValidationPipe());
  acceptPushValidationBodies(app);
  mountOpenApi(app);
  const strategy = app.get(JwtStrategy);
  const board = await mountBullBoard(app, [...app.get(StatusSyncProducer).allQueues(), app.get(WebhookProducer).deliveryQueue], config, (request) => verifyBearer(strategy, request));
  logger.log(`Bull Board ${board}`, 'api-gateway');
  logger.log(`Web page ${await mountWebApp(app)}`, 'api-gateway');
  if (config.env !== 'production') logger.warn('Development tokens can be minted at POST /api/v1/dev/token from this machine (NODE_ENV is not production)', 'api-gateway');
  await listen(app, 'api-gateway', ({ ports }) => ports.apiGateway);
});
