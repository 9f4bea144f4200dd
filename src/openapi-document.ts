import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { OpenAPIObject } from '@nestjs/swagger';
import { applyApiPrefix } from './app.factory.js';
import { AppModule } from './app.module.js';
import { loadConfig } from './config/app.config.js';
import { buildOpenApiDocument } from './openapi/swagger.js';

/**
 * The OpenAPI document of this source tree, without a server, a database, secrets or
 * the environment. The app is created in Nest's preview mode: modules, controllers and
 * their metadata are scanned, but no provider is instantiated — so TypeORM never
 * connects, migrations never run, Redis and mail are never touched. The configuration
 * is the defaults (not process.env or .env), so nobody's local settings leak into the
 * committed document; DATA_DIR is a temp folder that nothing writes to, removed after.
 */
export async function generateOpenApiDocument(): Promise<OpenAPIObject> {
  const dataDir = mkdtempSync(join(tmpdir(), 'authcentre-openapi-'));
  try {
    const config = loadConfig({ NODE_ENV: 'development', LOG_LEVEL: 'silent', DATA_DIR: dataDir });
    const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config), new FastifyAdapter(), {
      preview: true,
      logger: false,
      abortOnError: false,
    });
    try {
      // createApp cannot take the preview option; the routes get its prefix all the same.
      applyApiPrefix(app);
      return buildOpenApiDocument(app);
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/** The committed form: two-space JSON with a final newline (key order is the builder's, which is stable). */
export function renderOpenApi(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}
