import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Perm } from '../authz/permission-catalogue.js';
import { CurrentPrincipal, type Principal } from '../authz/principal.js';
import { RequirePermissions } from '../authz/require-permissions.decorator.js';
import { ErrorCode as E } from '../common/errors/error-codes.js';
import { Ctx, type RequestContext } from '../common/http/request-context.js';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope.js';
import { CreateSigningKeyDto, SigningKeyDto } from './dto/signing-key.dto.js';
import { KeysService } from './keys.service.js';

/** docs/api.md §8: the signing keys and their rotation. The public key set is GET /oauth2/jwks. */
@ApiTags('signing-keys')
@Controller('signing-keys')
export class KeysController {
  constructor(private readonly keys: KeysService) {}

  @Get()
  @RequirePermissions(Perm.KEY_READ)
  @ApiOperation({ summary: 'List the signing keys', description: 'Every key with its status and public JWK; never a private part.' })
  @ApiEnvelope([SigningKeyDto])
  list(): Promise<SigningKeyDto[]> {
    return this.keys.list();
  }

  @Post()
  @RequirePermissions(Perm.KEY_MANAGE)
  @ApiOperation({ summary: 'Create a key (status next)', description: 'Published in the JWKS at once; it signs only once activated.' })
  @ApiEnvelope(SigningKeyDto, 201, 'Created')
  @ApiErrors(E.VALIDATION_FAILED, E.INVALID_JSON)
  create(@CurrentPrincipal() me: Principal, @Body() dto: CreateSigningKeyDto, @Ctx() ctx: RequestContext): Promise<SigningKeyDto> {
    return this.keys.create(me, dto.alg, ctx);
  }

  @Post(':kid/activate')
  @HttpCode(200)
  @RequirePermissions(Perm.KEY_MANAGE)
  @ApiOperation({
    summary: 'Activate a key',
    description:
      'It signs from now on (on every instance within 5 s); the previous active key of its algorithm becomes retired, ' +
      'published until every token it signed has expired. A retired key cannot be activated again (409 PROTECTED_RESOURCE).',
  })
  @ApiEnvelope(SigningKeyDto)
  @ApiErrors(E.NOT_FOUND, E.PROTECTED_RESOURCE)
  activate(@CurrentPrincipal() me: Principal, @Param('kid') kid: string, @Ctx() ctx: RequestContext): Promise<SigningKeyDto> {
    return this.keys.activate(me, kid, ctx);
  }

  @Delete(':kid')
  @RequirePermissions(Perm.KEY_MANAGE)
  @ApiOperation({
    summary: 'Delete a key',
    description:
      'A next key, or a retired key past its last token’s expiry. An active key, or a retired one that may still have signed a live token: 409 PROTECTED_RESOURCE.',
  })
  @ApiEnvelope(null)
  @ApiErrors(E.NOT_FOUND, E.PROTECTED_RESOURCE)
  async remove(@CurrentPrincipal() me: Principal, @Param('kid') kid: string, @Ctx() ctx: RequestContext): Promise<null> {
    await this.keys.remove(me, kid, ctx);
    return null;
  }
}
