import { DynamicModule, Type } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { Logger } from 'nestjs-pino';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { loadConfig } from '../config/load-config';
import { useDepthLimitedJsonParser } from '../http/json-body-parser';
import { answerClientError, ProblemDetailsFilter } from '../http/problem-details.filter';
import { requestIdFor } from '../logging/logging.module';
import { mountMetricsEndpoint, timeHttpRequests } from '../metrics/metrics-endpoint';
import { startProcessMetrics } from '../metrics/metrics';
import { armShutdownDeadline } from './shutdown-deadline';

/**
 * Every service is a Fastify Nest app: the gateway serves the API, the others serve only their health routes.
 * Shutdown hooks let SIGTERM close queues, workers and connections cleanly.
 */
export async function createHttpApp(module: Type<unknown> | DynamicModule, bodyLimitBytes = 64 * 1024): Promise<NestFastifyApplication> {
  // The adapter exists before Nest's ConfigModule does, so it reads the (same, validated) configuration itself:
  // which address is the client's decides per-address rate limits; the shutdown deadline is armed below.
  const { http, shutdown } = loadConfig();
  const problems = new ProblemDetailsFilter();
  const adapter = new FastifyAdapter({
    bodyLimit: bodyLimitBytes,
    genReqId: requestIdFor,
    trustProxy: http.trustProxy,
    // Errors Fastify's router raises before any route runs (a path that is not valid percent-encoding, an
    // over-long parameter) get the same problem details as every other error, not Fastify's own JSON.
    frameworkErrors: (error: Error, request: FastifyRequest, reply: FastifyReply) => problems.send(error, request, reply),
    // And those Node's HTTP parser refuses before there is a request at all (headers over 16 KB: 431).
    clientErrorHandler: answerClientError,
  });
  timeHttpRequests(adapter.getInstance());
  adapter.getInstance().addHook('onSend', async (request, reply) => {
    void reply.header('x-request-id', request.id);
  });
  // JSON only, answered 415 otherwise: Fastify parses text/plain and Nest adds a form parser by default, and
  // such bodies would reach validation as a string or a flat object (a confusing 400) instead.
  adapter.getInstance().removeContentTypeParser('text/plain');
  useDepthLimitedJsonParser(adapter.getInstance());
  const app = await NestFactory.create<NestFastifyApplication>(module, adapter, {
    bufferLogs: true,
    bodyParser: false,
    // Start-up errors (e.g. invalid configuration) reach runMain, which prints one line naming the problem.
    abortOnError: false,
  });
  app.useLogger(app.get(Logger));
  app.useGlobalFilters(problems);
  // useProcessExit: after the hooks ran, exit 0 (Nest otherwise re-raises the signal, so every clean stop looks
  // killed) and fire 'exit', which flushes pino's asynchronous log destination. Only the stop signals: with none
  // named, Nest stops on every signal, SIGUSR2 included, so `--heapsnapshot-signal` stopped the service it asked.
  app.enableShutdownHooks(['SIGTERM', 'SIGINT'], { useProcessExit: true });
  const logger = app.get(Logger);
  armShutdownDeadline(shutdown.timeoutMs, (details) =>
    // nestjs-pino reads its last argument as the context.
    logger.error(details, 'graceful shutdown did not finish within SHUTDOWN_TIMEOUT_SECONDS; exiting with code 1', 'shutdown'),
  );
  return app;
}

/** Listens on the service's port (which also serves /metrics) and logs where, plus any generated development secret. */
export async function listen(app: NestFastifyApplication, name: string, port: (config: AppConfig) => number): Promise<void> {
  const config = app.get<AppConfig>(APP_CONFIG);
  const logger = app.get(Logger);
  startProcessMetrics(name);
  const metrics = mountMetricsEndpoint(app.getHttpAdapter().getInstance(), { token: config.metrics.token, production: config.env === 'production' });
  logger.log(`Metrics ${metrics}`, name);
  for (const variable of config.generatedDevSecrets) {
    logger.warn(`${variable} is not set: using a generated development value from .statusync/dev-secrets.json (never do this in production)`, name);
  }
  await app.listen(port(config), config.host);
  logger.log(`${name} listening on http://${config.host}:${port(config)}`, name);
}
