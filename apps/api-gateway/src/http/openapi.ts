import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import { refineDocument } from './openapi-refinements';
import { withCurrentTimestamps } from './openapi-timestamps';
import { ProblemView } from './problem-responses';

/** Swagger UI and its assets (`/docs`, `/docs/…`) and the document (`/docs-json`, `/docs-yaml`). */
export const isDocsUrl = (url: string): boolean => /^\/docs($|[/?-])/.test(url);

/** OpenAPI 3 at /docs-json, Swagger UI at /docs. */
export function mountOpenApi(app: NestFastifyApplication): void {
  const built = SwaggerModule.createDocument(
    app,
    new DocumentBuilder()
      .setTitle('Statusync API')
      .setDescription(
        'Keep your availability status in step across GitHub and Slack. Every /api/v1 route needs `Authorization: Bearer <JWT>`. ' +
          'Errors are RFC 9457 problem details (`application/problem+json`) with `errors: [{ field, reason }]`.',
      )
      .setVersion('1')
      .setLicense('UNLICENSED', '')
      .addServer('/', 'This gateway')
      .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' })
      .build(),
    { extraModels: [ProblemView] },
  );
  const document = refineDocument(built);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    // Example timestamps are relative to the moment the document is read, so "Try it out" always works.
    patchDocumentOnRequest: (_request, _reply, built) => withCurrentTimestamps(built),
  });
}
