import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

export const APP_PATH = '/app';

/** The web page and its assets (`/app`, `/app/`, `/app/…`), which get the page's own strict policy. */
export const isAppUrl = (url: string): boolean => url === APP_PATH || url.startsWith(`${APP_PATH}/`);

/**
 * Where `npm run build` puts the page: `apps/api-gateway/web` bundled with the SDK into one module, its HTML,
 * CSS and icon beside it (scripts/build-web.js).
 * From dist/apps/api-gateway/src/http this is dist/apps/api-gateway/web.
 */
export const WEB_ROOT = join(__dirname, '../../web');

/**
 * Serves the page at /app from the built files. `wildcard: false` makes one route per file at start-up, so the
 * security-headers hook sees each of them and an unknown path is the API's ordinary 404 problem.
 * Returns how it was mounted, for the start-up log.
 */
export async function mountWebApp(app: NestFastifyApplication, root = WEB_ROOT): Promise<string> {
  if (!existsSync(join(root, 'index.html'))) return `not built (no ${root}/index.html; run npm run build)`;
  await app.register(fastifyStatic, {
    root,
    prefix: `${APP_PATH}/`,
    wildcard: false,
    // Swagger UI registered the reply decorator already.
    decorateReply: false,
    index: ['index.html'],
    // Scripts change with every build and are tiny: always revalidate (ETag) rather than cache stale code.
    cacheControl: true,
    maxAge: 0,
  });
  // The page's own address, without the slash: to the directory, so the browser's URL names it.
  app.getHttpAdapter().getInstance().get(APP_PATH, (_request, reply) => reply.redirect(`${APP_PATH}/`, 302));
  return `at ${APP_PATH}`;
}
