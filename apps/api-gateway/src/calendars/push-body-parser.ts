import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { errorCodes } from 'fastify';

const PUSH_PATH = /^\/api\/v1\/calendars\/push\//;

/**
 * The gateway takes JSON only (text/plain is a 415, see createHttpApp), but Microsoft Graph's subscription
 * validation request is a POST with `Content-Type: text/plain` and an empty body. Its route alone accepts that
 * (at most 1 KB, ignored): everywhere else text/plain stays a 415.
 */
export function acceptPushValidationBodies(app: NestFastifyApplication): void {
  app
    .getHttpAdapter()
    .getInstance()
    .addContentTypeParser('text/plain', { parseAs: 'string', bodyLimit: 1024 }, (request, _body, done) => {
      if (PUSH_PATH.test(request.url)) done(null, undefined);
      else done(new errorCodes.FST_ERR_CTP_INVALID_MEDIA_TYPE('text/plain'), undefined);
    });
}
