import type { INestApplication } from '@nestjs/common';
import { DocumentBuilder, SwaggerModule, type OpenAPIObject } from '@nestjs/swagger';

export const BEARER = 'bearer';

/** Builds the OpenAPI 3 document from the app's routes and decorators (no server needed). */
export function buildOpenApiDocument(app: INestApplication, serverUrl?: string): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setTitle('AuthCentre API')
    .setDescription(
      'Authentication and access control: sessions, refresh rotation with theft detection, lockout, audit, ' +
        'role and permission administration. Every `/api/v1` response is an envelope ' +
        '`{ code, message, data }`; errors carry a stable `error` key.',
    )
    .setVersion('1.0.0')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'An access token from POST /api/v1/auth/login' }, BEARER);
  if (serverUrl) builder.addServer(serverUrl);
  return SwaggerModule.createDocument(app, builder.build(), {
    operationIdFactory: (controllerKey: string, methodKey: string) =>
      `${controllerKey.replace(/Controller$/, '').replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()}_${methodKey.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase()}`,
  });
}

/** Swagger UI at /docs, the JSON document at /docs-json. */
export function setupSwagger(app: INestApplication): void {
  const document = buildOpenApiDocument(app);
  SwaggerModule.setup('docs', app, document, {
    jsonDocumentUrl: 'docs-json',
    yamlDocumentUrl: 'docs-yaml',
    customSiteTitle: 'AuthCentre API',
    swaggerOptions: { persistAuthorization: true, displayRequestDuration: true, tryItOutEnabled: false },
  });
}
