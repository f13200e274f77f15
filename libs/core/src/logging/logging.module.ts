import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { Module } from '@nestjs/common';
import { LoggerModule } from 'nestjs-pino';
import pino from 'pino';
import { APP_CONFIG, AppConfig } from '../config/app-config';
import { redactUrl } from './redact-url';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * Takes the caller's `X-Request-Id` when it is sane, otherwise makes one. Fastify calls this first (its
 * `genReqId`); the id is kept on the raw request so the pino logger and the jobs use the same one.
 */
export function requestIdFor(req: IncomingMessage): string {
  const raw = req as IncomingMessage & { id?: unknown };
  if (typeof raw.id === 'string') return raw.id;
  const given = req.headers['x-request-id'];
  const id = typeof given === 'string' && REQUEST_ID.test(given) ? given : randomUUID();
  raw.id = id;
  return id;
}

/**
 * Structured JSON logs (pino). Requests are logged without headers or bodies, so bearer tokens and platform
 * tokens can never reach the log, and with one-time secrets in the URL (OAuth code and state) redacted; the
 * redact list is a second line of defence for objects logged by hand.
 */
@Module({
  imports: [
    LoggerModule.forRootAsync({
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => ({
        pinoHttp: [
          {
            level: config.log.level,
            genReqId: requestIdFor,
            redact: {
              paths: ['token', '*.token', 'authorization', '*.authorization', '*.headers.authorization', 'ciphertext', '*.ciphertext'],
              censor: '[redacted]',
            },
            serializers: {
              req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, url: redactUrl(req.url) }),
              res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
            },
            autoLogging: { ignore: (req: IncomingMessage) => req.url?.startsWith('/health') ?? false },
          },
          config.log.file ? pino.destination({ dest: config.log.file, mkdir: true, sync: false }) : pino.destination(1),
        ],
      }),
    }),
  ],
})
export class LoggingModule {}
