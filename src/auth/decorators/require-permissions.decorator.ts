import { applyDecorators, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiExtension, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import { BEARER } from '../../common/swagger/swagger.js';
import type { PermCode } from '../../permissions/permission-catalogue.js';

export const PERMISSIONS_KEY = 'required_permissions';

/**
 * The route needs every one of these permission codes (SUPER_ADMIN passes every check).
 * Also documents them in the OpenAPI document: `x-permissions`, the bearer scheme, and
 * the 401/403 responses.
 */
export function RequirePermissions(...codes: PermCode[]) {
  return applyDecorators(
    SetMetadata(PERMISSIONS_KEY, codes),
    ApiBearerAuth(BEARER),
    ApiExtension('x-permissions', codes),
    ApiUnauthorizedResponse({ description: 'No valid access token' }),
    ApiForbiddenResponse({ description: `Requires the permission${codes.length > 1 ? 's' : ''}: ${codes.join(', ')}` }),
  );
}
