import { Body, Controller, Delete, Get, Param, ParseUUIDPipe, Patch, Put } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import { ErrorCode as E } from '../common/errors/error-codes.js';
import { AppException } from '../common/errors/app.exception.js';
import { Ctx, type RequestContext } from '../common/http/request-context.js';
import { ApiEnvelope, ApiErrors } from '../common/swagger/api-envelope.js';
import { MeDto } from '../users/dto/user.dto.js';
import { ChangePasswordDto, SessionDto, UpdateMeDto } from './dto/me.dto.js';
import { MeService } from './me.service.js';
import { CurrentUser, type Principal } from './principal.js';


/** API.md §4: the signed-in user. Needs only a valid access token. */
@ApiTags('me')
@Controller('users/me')
export class MeController {
  constructor(private readonly me: MeService) {}

  @Get()
  @ApiOperation({ summary: 'The signed-in user with their permissions' })
  @ApiEnvelope(MeDto)
  get(@CurrentUser() me: Principal): MeDto {
    return me.access.me;
  }

  @Patch()
  @ApiOperation({ summary: 'Change nickname, email, phone or avatar' })
  @ApiEnvelope(MeDto)
  @ApiErrors(E.VALIDATION_FAILED, E.INVALID_JSON, E.EMAIL_TAKEN, E.PHONE_TAKEN)
  update(@CurrentUser() me: Principal, @Body() dto: UpdateMeDto, @Ctx() ctx: RequestContext): Promise<MeDto> {
    return this.me.update(me, dto, ctx);
  }

  @Put('password')
  @ApiOperation({ summary: 'Change the password; every other session is revoked' })
  @ApiEnvelope(null)
  @ApiErrors(E.VALIDATION_FAILED, E.WRONG_PASSWORD, E.WEAK_PASSWORD)
  async changePassword(@CurrentUser() me: Principal, @Body() dto: ChangePasswordDto, @Ctx() ctx: RequestContext): Promise<null> {
    await this.me.changePassword(me, dto, ctx);
    return null;
  }

  @Get('sessions')
  @ApiOperation({ summary: 'The live sessions of the signed-in user' })
  @ApiEnvelope([SessionDto])
  sessions(@CurrentUser() me: Principal): Promise<SessionDto[]> {
    return this.me.listSessions(me);
  }

  @Delete('sessions/:id')
  @ApiOperation({ summary: 'Revoke one of your own sessions' })
  @ApiEnvelope(null)
  @ApiErrors(E.NOT_FOUND)
  async revokeSession(
    @CurrentUser() me: Principal,
    @Param('id', new ParseUUIDPipe({ exceptionFactory: () => new AppException(E.NOT_FOUND) })) id: string,
    @Ctx() ctx: RequestContext,
  ): Promise<null> {
    await this.me.revokeSession(me, id, ctx);
    return null;
  }
}
