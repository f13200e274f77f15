import { ArgumentsHost, Catch, ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { isDependencyDown } from './dependency-down';
import { PROBLEM_CONTENT_TYPE, ProblemDetails, ProblemDraft, problemType } from './problem';
import { faultOf, JSON_ONLY_REASON } from './problem-fault';
import { ProblemException } from './problem.exception';

/** What a client is told to wait when Postgres or Redis is down. */
const DEPENDENCY_RETRY_AFTER_SECONDS = 5;

const SLUGS: Record<number, string> = {
  400: 'bad-request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not-found',
  405: 'method-not-allowed',
  408: 'request-timeout',
  409: 'conflict',
  413: 'payload-too-large',
  414: 'uri-too-long',
  415: 'unsupported-media-type',
  422: 'unprocessable',
  429: 'too-many-requests',
  431: 'request-header-fields-too-large',
  503: 'unavailable',
};

/** Renders every error as problem details; 5xx answers never carry internals, they are logged instead. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger(ProblemDetailsFilter.name);

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    this.send(exception, http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>());
  }

  /** Answers with `exception` as problem details. Public for Fastify hooks, which run outside Nest's filters. */
  send(exception: unknown, request: FastifyRequest, reply: FastifyReply): void {
    const problem = this.toProblem(exception);
    problem.requestId = String(request.id);
    if (problem.status >= 500) {
      this.logger.error({ err: exception, requestId: problem.requestId }, 'request failed');
    }
    const retryAfter = problem.retryAfterSeconds;
    if (typeof retryAfter === 'number') void reply.header('retry-after', String(retryAfter));
    // RFC 9110: every 401 names the scheme that would be accepted (Bearer, unless the route named its own).
    if (problem.status === 401 && !reply.hasHeader('www-authenticate')) void reply.header('www-authenticate', 'Bearer');
    // The onSend hook sets it too, but answers to router errors (frameworkErrors) never reach that hook.
    void reply.header('x-request-id', problem.requestId);
    void reply.status(problem.status).header('content-type', PROBLEM_CONTENT_TYPE).send(problem);
  }

  private toProblem(exception: unknown): ProblemDetails {
    const problem = this.describe(exception);
    // Fastify's and Nest's wording ("Unsupported Media Type") does not say what would be accepted.
    if (problem.status === 415) problem.detail = `${problem.detail}: ${JSON_ONLY_REASON}`;
    return { ...problem, errors: problem.errors ?? faultOf(problem.status, problem.detail) };
  }

  private describe(exception: unknown): ProblemDraft {
    if (exception instanceof ProblemException) {
      return {
        type: exception.typeUri,
        title: exception.title,
        status: exception.getStatus(),
        detail: exception.message,
        ...(exception.errors ? { errors: exception.errors } : {}),
        ...exception.extensions,
      };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      const response = exception.getResponse();
      // Terminus' readiness failure: keep which dependency is down, and tell probes when to ask again.
      const checks = (response as { details?: unknown }).details;
      if (status === HttpStatus.SERVICE_UNAVAILABLE && checks) {
        return {
          type: problemType('unavailable'),
          title: 'Service Unavailable',
          status,
          detail: 'Not ready: a dependency is down.',
          checks,
          retryAfterSeconds: DEPENDENCY_RETRY_AFTER_SECONDS,
        };
      }
      const detail = typeof response === 'string' ? response : ((response as { message?: unknown }).message ?? exception.message);
      return {
        type: problemType(SLUGS[status] ?? 'error'),
        title: STATUS_CODES[status] ?? 'Error',
        status,
        detail: Array.isArray(detail) ? detail.join('; ') : String(detail),
      };
    }
    // Fastify's own errors (body too large, bad JSON, wrong content type) carry a statusCode.
    const statusCode = (exception as { statusCode?: number })?.statusCode;
    if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
      return {
        type: problemType(SLUGS[statusCode] ?? 'bad-request'),
        title: STATUS_CODES[statusCode] ?? 'Bad Request',
        status: statusCode,
        detail: (exception as Error).message,
      };
    }
    if (isDependencyDown(exception)) {
      return {
        type: problemType('unavailable'),
        title: 'Service Unavailable',
        status: HttpStatus.SERVICE_UNAVAILABLE,
        detail: 'A dependency (database or queue) is unavailable; retry shortly.',
        retryAfterSeconds: DEPENDENCY_RETRY_AFTER_SECONDS,
      };
    }
    return {
      type: problemType('internal'),
      title: 'Internal Server Error',
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      detail: 'An unexpected error occurred; it has been logged with this request id.',
    };
  }
}

const CLIENT_ERROR_DETAILS: Record<number, string> = {
  400: 'The request is not valid HTTP.',
  408: 'The request took too long to arrive.',
  431: 'The request headers (request line included) are larger than the 16 KB the server accepts.',
};

/**
 * Fastify's `clientErrorHandler`: Node's HTTP parser refuses some requests before there is a request to route
 * (headers over 16 KB: 431; bytes that are not HTTP: 400; too slow: 408). Fastify's default answer is its own JSON,
 * and it closes the socket without saying so, so a keep-alive client sent its next request into a dead connection.
 * Answer as problem details, with `Connection: close`.
 */
export function answerClientError(error: NodeJS.ErrnoException, socket: Duplex): void {
  // The client is gone: there is no one to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const status = error.code === 'HPE_HEADER_OVERFLOW' ? 431 : error.code === 'ERR_HTTP_REQUEST_TIMEOUT' ? 408 : 400;
  const requestId = randomUUID();
  const detail = CLIENT_ERROR_DETAILS[status];
  const problem: ProblemDetails = { type: problemType(SLUGS[status]), title: STATUS_CODES[status] ?? 'Bad Request', status, detail, errors: faultOf(status, detail), requestId };
  const body = JSON.stringify(problem);
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${problem.title}\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
        `X-Request-Id: ${requestId}\r\nConnection: close\r\n\r\n${body}`,
    );
  }
  socket.destroy(error);
}
