import { Injectable, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AppException } from '../common/errors/app.exception.js';
import { ErrorCode } from '../common/errors/error-codes.js';
import { PERMISSIONS_KEY } from './require-permissions.decorator.js';
import type { Principal } from './principal.js';

/** Global, after the access guard: the caller needs all the route's permissions. */
@Injectable()
export class PermissionsGuard implements CanActivate {
  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<string[] | undefined>(PERMISSIONS_KEY, [context.getHandler(), context.getClass()]);
    if (!required?.length) return true;
    const principal = context.switchToHttp().getRequest<{ user?: Principal }>().user;
    const access = principal?.access;
    if (!access) throw new AppException(ErrorCode.UNAUTHENTICATED);
    if (access.isSuperAdmin || required.every((code) => access.permissions.has(code))) return true;
    throw new AppException(ErrorCode.FORBIDDEN);
  }
}
