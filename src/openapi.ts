import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateOpenApiDocument, renderOpenApi } from './openapi-document.js';

/**
 * `npm run openapi`: writes the OpenAPI document to openapi.json at the repository
 * root (or to the path given as the first argument). See openapi-document.ts for why
 * it needs no server or database.
 */
async function main(): Promise<void> {
  const target = resolve(process.argv[2] ?? 'openapi.json');
  writeFileSync(target, renderOpenApi(await generateOpenApiDocument()));
  process.stdout.write(`OpenAPI document written to ${target}\n`);
}

main().catch((err: unknown) => {
  process.stderr.write(`OpenAPI generation failed: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
