import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Patch, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode as E } from '../common/errors/error-codes.js';
import { AppException } from '../common/errors/app.exception.js';
import { Ctx, type RequestContext } from '../common/http/request-context.js';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope.js';
import { BEARER } from '../common/swagger/swagger.js';
import { MeDto } from '../users/dto/user.dto.js';
import { ChangePasswordDto, SessionDto, UpdateMeDto } from './dto/me.dto.js';
import { MeService } from './me.service.js';
import { CurrentUser, type Principal } from './principal.js';

const TOKEN_ERRORS = [E.UNAUTHENTICATED, E.INVALID_TOKEN, E.TOKEN_EXPIRED, E.TOKEN_REVOKED, E.INVALID_TOKEN_TYPE] as const;

/** API.md §4: the signed-in user. Needs only a valid access token. */
@ApiTags('me')
@ApiBearerAuth(BEARER)
@Controller('users/me')
export class MeController {
  constructor(private readonly me: MeService) {}

  @Get()
  @ApiOperation({ summary: 'The signed-in user with their permissions' })
  @ApiEnvelope(MeDto)
  @ApiErrors(...TOKEN_ERRORS)
  get(@CurrentUser() me: Principal): MeDto {
    return me.access.me;
  }

  @Patch()
  @ApiOperation({ summary: 'Change nickname, email, phone or avatar' })
  @ApiEnvelope(MeDto)
  @ApiErrors(E.VALIDATION_FAILED, E.INVALID_JSON, ...TOKEN_ERRORS, E.EMAIL_TAKEN, E.PHONE_TAKEN)
  update(@CurrentUser() me: Principal, @Body() dto: UpdateMeDto, @Ctx() ctx: RequestContext): Promise<MeDto> {
    return this.me.update(me, dto, ctx);
  }

  @Put('password')
  @ApiOperation({ summary: 'Change the password; every other session is revoked' })
  @ApiEnvelope(null)
  @ApiErrors(E.VALIDATION_FAILED, E.WRONG_PASSWORD, E.WEAK_PASSWORD, ...TOKEN_ERRORS)
  async changePassword(@CurrentUser() me: Principal, @Body() dto: ChangePasswordDto, @Ctx() ctx: RequestContext): Promise<null> {
    await this.me.changePassword(me, dto, ctx);
    return null;
  }

  @Get('sessions')
  @ApiOperation({ summary: 'The live sessions of the signed-in user' })
  @ApiEnvelope([SessionDto])
  @ApiErrors(...TOKEN_ERRORS)
  sessions(@CurrentUser() me: Principal): Promise<SessionDto[]> {
    return this.me.listSessions(me);
  }

  @Delete('sessions/:id')
  @ApiOperation({ summary: 'Revoke one of your own sessions' })
  @ApiEnvelope(null)
  @ApiErrors(...TOKEN_ERRORS, E.NOT_FOUND)
  async revokeSession(
    @CurrentUser() me: Principal,
    @Param('id', new ParseUUIDPipe({ exceptionFactory: () => new AppException(E.NOT_FOUND) })) id: string,
    @Ctx() ctx: RequestContext,
  ): Promise<null> {
    await this.me.revokeSession(me, id, ctx);
    return null;
  }
}
