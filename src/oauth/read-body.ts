import type { FastifyRequest } from 'fastify';

/**
 * The raw body of a request the /oauth2 plugin left unread (oidc-provider reads most bodies
 * itself), at most `limit` bytes: beyond it a 413, before any more is buffered.
 */
export async function readBody(request: FastifyRequest, limit: number): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request.raw) {
    size += (chunk as Buffer).length;
    if (size > limit) throw Object.assign(new Error('request entity too large'), { statusCode: 413 });
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks, size);
}
