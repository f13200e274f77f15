import { Body, Controller, HttpCode, Inject, Post, Req } from '@nestjs/common';
import { ApiBody, ApiOperation, ApiResponse, ApiTags } from '@nestjs/swagger';
import { APP_CONFIG, AppConfig, ProblemException, Public } from '@statusync/core';
import type { FastifyRequest } from 'fastify';
import jwt from 'jsonwebtoken';
import { problemResponses } from '../http/problem-responses';
import { DevTokenDto, DevTokenView } from './dev-token.dto';

export const DEV_TOKEN_TTL_SECONDS = 3600;
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);

/**
 * Only a browser on this machine may mint: the socket's own address must be loopback and nothing may have
 * relayed the request (a proxy on localhost would otherwise make every visitor look local). NODE_ENV defaults to
 * development, so a gateway started on a server without it must still not hand out tokens to the network.
 */
export function isLocalRequest(request: FastifyRequest): boolean {
  const relayed = request.headers['x-forwarded-for'] !== undefined || request.headers.forwarded !== undefined;
  return !relayed && LOOPBACK.has(request.raw.socket.remoteAddress ?? '');
}

/**
 * Development only (never mounted when NODE_ENV=production, see DevTokenModule): the web page's "pick a user"
 * mints a token here, like `npm run token` does on the command line.
 */
@ApiTags('development')
@Controller('dev')
export class DevTokenController {
  constructor(@Inject(APP_CONFIG) private readonly config: AppConfig) {}

  @Public()
  @Post('token')
  @HttpCode(201)
  @ApiOperation({
    summary: 'Mint a development JWT for any subject (development and test only; absent in production)',
    description: 'For the web page at /app and local trials. Only from this machine (a loopback address, not through a proxy): 403 otherwise. Needs JWT_SECRET (or the generated development secret).',
  })
  @ApiBody({ type: DevTokenDto, examples: { member: { value: { subject: 'alice' } }, orgAdmin: { value: { subject: 'carol', orgId: 'acme', role: 'admin' } } } })
  @ApiResponse({ status: 201, type: DevTokenView })
  @problemResponses(400, 403)
  mint(@Body() body: DevTokenDto, @Req() request: FastifyRequest): DevTokenView {
    if (!isLocalRequest(request)) {
      throw new ProblemException(403, 'forbidden', 'Forbidden', 'Development tokens are only minted for a browser on the gateway machine', [
        { field: 'request', reason: 'must come straight from a loopback address (not relayed by a proxy)' },
      ]);
    }
    const { secret, issuer, audience } = this.config.jwt;
    if (!secret) {
      throw new ProblemException(403, 'forbidden', 'Forbidden', 'JWT_SECRET is not set: paste a token from your identity provider instead', [
        { field: 'request', reason: 'the gateway has no signing secret (JWT_JWKS_URL only)' },
      ]);
    }
    const role = body.role ?? 'member';
    const claims = { ...(body.orgId ? { org_id: body.orgId } : {}), role };
    const token = jwt.sign(claims, secret, {
      algorithm: 'HS256',
      subject: body.subject,
      expiresIn: DEV_TOKEN_TTL_SECONDS,
      ...(issuer ? { issuer } : {}),
      ...(audience ? { audience } : {}),
    });
    return { token, subject: body.subject, orgId: body.orgId ?? null, role, expiresInSeconds: DEV_TOKEN_TTL_SECONDS };
  }
}
