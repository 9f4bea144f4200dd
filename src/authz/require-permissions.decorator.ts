import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiExtension } from '@nestjs/swagger';
import type { PermCode } from './permission-catalogue.js';

export const PERMISSIONS_KEY = 'required_permissions';

/**
 * The route needs every one of these permission codes (SUPER_ADMIN passes every check).
 * Also documents them in the OpenAPI document as `x-permissions`, from which the
 * document's completion (openapi/complete-document.ts) adds the bearer scheme,
 * the 401 token errors and the 403 with the permissions named.
 */
export function RequirePermissions(...codes: PermCode[]) {
  return applyDecorators(SetMetadata(PERMISSIONS_KEY, codes), ApiExtension('x-permissions', codes));
}
