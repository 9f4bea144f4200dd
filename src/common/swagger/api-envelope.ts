import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiExtraModels,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
  type HeaderObject,
  type SchemaObject,
} from '@nestjs/swagger';

/** The name of the bearer-token security scheme of the OpenAPI document. */
export const BEARER = 'bearer';
import { ERROR_STATUS, ErrorCode } from '../errors/error-codes.js';
import { DETAIL_CODES } from '../i18n/details.js';

export class ErrorDetailDto {
  @ApiProperty({ example: 'password' }) field: string;
  @ApiProperty({
    enum: DETAIL_CODES,
    example: 'too_short',
    description: 'A stable code a frontend can translate (docs/errors.md lists them with their parameters)',
  })
  code: string;
  @ApiProperty({ example: 'password must be at least 8 characters', description: 'Localised by Accept-Language' }) message: string;
  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: { oneOf: [{ type: 'string' }, { type: 'number' }] },
    example: { min: 8 },
    description: 'The values in the message: min, max, type, format, values, fields, ids, reason',
  })
  params?: Record<string, string | number>;
}

/** The error envelope of docs/api.md §1. */
export class ErrorEnvelopeDto {
  @ApiProperty({ type: 'integer', example: 400, description: 'The HTTP status' }) code: number;
  @ApiProperty({ enum: Object.values(ErrorCode), example: 'VALIDATION_FAILED', description: 'A stable machine key' }) error: string;
  @ApiProperty({ example: 'The request is invalid.', description: 'Localised by Accept-Language' }) message: string;
  @ApiPropertyOptional({ type: [ErrorDetailDto], description: 'Validation only' }) details?: ErrorDetailDto[];
  @ApiProperty({ example: '/api/v1/auth/login' }) path: string;
  @ApiProperty({ format: 'date-time', example: '2025-01-01T12:00:00.000Z' }) timestamp: string;
  @ApiProperty({ example: '5b6c1f0e-3d0a-4c8e-9f55-8f2a8b1f2a10' }) request_id: string;
}

/** The success envelope; `data` is typed per route by `ApiEnvelope`. */
export class SuccessEnvelopeDto {
  @ApiProperty({ type: 'integer', enum: [0], example: 0 }) code: 0;
  @ApiProperty({ enum: ['OK'], example: 'OK' }) message: 'OK';
}

/** `data` is one of these models (a union the client tells apart by a property, e.g. `mfa_required`). */
export interface OneOfModels {
  oneOf: Type[];
}

/**
 * Documents the success response as `{ code: 0, message: "OK", data: <model> }`, so a
 * generated client knows the type of `data`. No model: `data` is null. `headers`: response
 * headers of the success answer worth documenting (Set-Cookie in cookie mode).
 */
export function ApiEnvelope(
  model: Type | [Type] | OneOfModels | null,
  status = 200,
  description = 'OK',
  headers?: Record<string, HeaderObject>,
) {
  if (model && 'oneOf' in model) {
    const data = { oneOf: model.oneOf.map((m) => ({ $ref: getSchemaPath(m) })) };
    return envelope(data, [...model.oneOf], status, description, headers);
  }
  const isArray = Array.isArray(model);
  const inner = isArray ? model[0] : model;
  const data = inner
    ? isArray
      ? { type: 'array', items: { $ref: getSchemaPath(inner) } }
      : { $ref: getSchemaPath(inner) }
    : { type: 'object', nullable: true, example: null, description: 'Always null' };
  return envelope(data, inner ? [inner] : [], status, description, headers);
}

function envelope(data: SchemaObject, models: Type[], status: number, description: string, headers?: Record<string, HeaderObject>) {
  return applyDecorators(
    ApiExtraModels(SuccessEnvelopeDto, ...models),
    ApiResponse({
      status,
      description,
      ...(headers ? { headers } : {}),
      schema: {
        allOf: [{ $ref: getSchemaPath(SuccessEnvelopeDto) }, { type: 'object', required: ['data'], properties: { data } }],
      },
    }),
  );
}

/** Documents each error response a route can give, grouped by status, with its possible keys. */
export function ApiErrors(...codes: ErrorCode[]) {
  const byStatus = new Map<number, ErrorCode[]>();
  for (const code of codes) byStatus.set(ERROR_STATUS[code], [...(byStatus.get(ERROR_STATUS[code]) ?? []), code]);
  return applyDecorators(
    ApiExtraModels(ErrorEnvelopeDto),
    ...[...byStatus].map(([status, keys]) =>
      ApiResponse({
        status,
        description: `error: ${keys.join(' | ')}`,
        schema: errorEnvelopeSchema(status, keys),
      }),
    ),
  );
}

/** The error envelope narrowed to one status and the keys it can carry there. */
export function errorEnvelopeSchema(status: number, keys: readonly string[]): SchemaObject {
  return {
    allOf: [
      { $ref: getSchemaPath(ErrorEnvelopeDto) },
      {
        type: 'object',
        required: ['code', 'error'],
        properties: { code: { type: 'integer', enum: [status] }, error: { type: 'string', enum: [...keys] } },
      },
    ],
  };
}

/**
 * Documents a paginated success response (docs/api.md §1):
 * `{ code: 0, message: "OK", data: { items: [<model>], total, page, page_size } }`.
 */
export function ApiPageEnvelope(model: Type, description = 'OK') {
  return applyDecorators(
    ApiExtraModels(SuccessEnvelopeDto, model),
    ApiResponse({
      status: 200,
      description,
      schema: {
        allOf: [
          { $ref: getSchemaPath(SuccessEnvelopeDto) },
          {
            type: 'object',
            required: ['data'],
            properties: {
              data: {
                type: 'object',
                required: ['items', 'total', 'page', 'page_size'],
                properties: {
                  items: { type: 'array', items: { $ref: getSchemaPath(model) } },
                  total: { type: 'integer', minimum: 0, description: 'Matching items on all pages' },
                  page: { type: 'integer', minimum: 1 },
                  page_size: { type: 'integer', minimum: 1, maximum: 100 },
                },
              },
            },
          },
        ],
      },
    }),
  );
}
