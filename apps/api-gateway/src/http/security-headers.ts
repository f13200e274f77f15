import helmet, { FastifyHelmetOptions } from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { RouteOptions } from 'fastify';

/**
 * The API only ever answers JSON: nothing may load, run or frame. Should an answer that echoes input (a
 * status message of `<script>…`) ever be opened as a page, `nosniff` keeps it JSON and this policy keeps it inert.
 */
const API_POLICY: FastifyHelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: { defaultSrc: ["'none'"], frameAncestors: ["'none'"] } },
  xFrameOptions: { action: 'deny' },
};

/**
 * Swagger UI and Bull Board are pages: they load their own scripts and styles (both use inline styles; Bull
 * Board loads Google Fonts), which helmet's default policy allows. `upgrade-insecure-requests` is dropped
 * because a self-hosted gateway is often reached over plain HTTP, where it would break every asset.
 */
const UI_POLICY: FastifyHelmetOptions = {
  contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
};

/**
 * The web page at /app is ours: every script, style and request comes from this origin, nothing inline (the
 * page builds its DOM with textContent), nothing frames it. A token pasted into it is only as safe as this.
 */
const APP_POLICY: FastifyHelmetOptions = {
  contentSecurityPolicy: {
    useDefaults: false,
    directives: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'"],
      connectSrc: ["'self'"],
      baseUri: ["'none'"],
      formAction: ["'none'"],
      frameAncestors: ["'none'"],
    },
  },
  xFrameOptions: { action: 'deny' },
};

/** Which policy a page route gets; every other route gets the strict API policy. */
export interface PageRoutes {
  /** Swagger UI and Bull Board: third-party pages with inline styles. */
  isUiRoute: (url: string) => boolean;
  /** Our own web page and its assets. */
  isAppRoute: (url: string) => boolean;
}

/**
 * Security headers (helmet) on every answer: HSTS, nosniff, frame and referrer policies, and the strict API
 * policy except on the page routes `routes` names. Call before any route is added (the page routes are
 * recognised as they are registered).
 */
export async function registerSecurityHeaders(app: NestFastifyApplication, routes: PageRoutes): Promise<void> {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRoute', (route: RouteOptions) => {
    if (routes.isAppRoute(route.url)) route.config = { ...route.config, helmet: APP_POLICY };
    else if (routes.isUiRoute(route.url)) route.config = { ...route.config, helmet: UI_POLICY };
  });
  await app.register(helmet, API_POLICY);
}
