import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { Perm } from '../authz/permission-catalogue.js';
import { CurrentPrincipal, type Principal } from '../authz/principal.js';
import { RequirePermissions } from '../authz/require-permissions.decorator.js';
import { ErrorCode as E } from '../common/errors/error-codes.js';
import { Ctx, type RequestContext } from '../common/http/request-context.js';
import type { Page } from '../common/pagination/page.js';
import { ApiEnvelope, ApiErrors, ApiPageEnvelope } from '../common/swagger/api-envelope.js';
import { ClientsService } from './clients.service.js';
import { ClientDto, ClientWithSecretDto, CreateClientDto, ListClientsQuery, RotateSecretDto, UpdateClientDto } from './dto/client.dto.js';

const REACH =
  'A caller who is not SUPER_ADMIN gives a client only roles they could assign themselves, and cannot change a client holding more (403 FORBIDDEN).';

/** docs/api.md §9: the OAuth clients of the authorization server at /oauth2. `:id` is the client's id or its client_id. */
@ApiTags('clients')
@Controller('clients')
export class ClientsController {
  constructor(private readonly clients: ClientsService) {}

  @Get()
  @RequirePermissions(Perm.CLIENT_READ)
  @ApiOperation({ summary: 'List clients', description: '`keyword` matches client_id or name. Default order: created_at ascending.' })
  @ApiPageEnvelope(ClientDto)
  @ApiErrors(E.VALIDATION_FAILED)
  list(@Query() query: ListClientsQuery): Promise<Page<ClientDto>> {
    return this.clients.list(query);
  }

  @Post()
  @RequirePermissions(Perm.CLIENT_CREATE)
  @ApiOperation({
    summary: 'Register a client',
    description:
      'A confidential client gets its `client_secret` in this answer, once (stored only as a digest). Redirect URIs match exactly; ' +
      `\`http\` only for loopback hosts. \`password\` and \`client_credentials\` are for confidential clients. ${REACH}`,
  })
  @ApiEnvelope(ClientWithSecretDto, 201, 'Created')
  @ApiErrors(E.VALIDATION_FAILED, E.INVALID_JSON, E.CLIENT_ID_TAKEN)
  create(
    @CurrentPrincipal() me: Principal,
    @Body() dto: CreateClientDto,
    @Ctx() ctx: RequestContext,
  ): Promise<ClientDto | ClientWithSecretDto> {
    return this.clients.create(me, dto, ctx);
  }

  @Get(':id')
  @RequirePermissions(Perm.CLIENT_READ)
  @ApiOperation({ summary: 'One client', description: 'By its id or its client_id.' })
  @ApiEnvelope(ClientDto)
  @ApiErrors(E.NOT_FOUND)
  get(@Param('id') id: string): Promise<ClientDto> {
    return this.clients.get(id);
  }

  @Patch(':id')
  @RequirePermissions(Perm.CLIENT_UPDATE)
  @ApiOperation({ summary: 'Change a client', description: `Disabling ends its grants and tokens at once. ${REACH}` })
  @ApiEnvelope(ClientDto)
  @ApiErrors(E.VALIDATION_FAILED, E.INVALID_JSON, E.NOT_FOUND)
  update(
    @CurrentPrincipal() me: Principal,
    @Param('id') id: string,
    @Body() dto: UpdateClientDto,
    @Ctx() ctx: RequestContext,
  ): Promise<ClientDto> {
    return this.clients.update(me, id, dto, ctx);
  }

  @Delete(':id')
  @RequirePermissions(Perm.CLIENT_DELETE)
  @ApiOperation({ summary: 'Delete a client', description: `Ends its grants and tokens. ${REACH}` })
  @ApiEnvelope(null)
  @ApiErrors(E.NOT_FOUND)
  async remove(@CurrentPrincipal() me: Principal, @Param('id') id: string, @Ctx() ctx: RequestContext): Promise<null> {
    await this.clients.remove(me, id, ctx);
    return null;
  }

  @Post(':id/secret')
  @HttpCode(200)
  @RequirePermissions(Perm.CLIENT_UPDATE)
  @ApiOperation({
    summary: 'Rotate the client secret',
    description: `A new secret, shown once; the previous one keeps working for \`grace_seconds\` (default 0, at most 30 days). ${REACH}`,
  })
  @ApiEnvelope(ClientWithSecretDto)
  @ApiErrors(E.VALIDATION_FAILED, E.INVALID_JSON, E.NOT_FOUND)
  rotateSecret(
    @CurrentPrincipal() me: Principal,
    @Param('id') id: string,
    @Body() dto: RotateSecretDto,
    @Ctx() ctx: RequestContext,
  ): Promise<ClientWithSecretDto> {
    return this.clients.rotateSecret(me, id, dto?.grace_seconds ?? 0, ctx);
  }
}
