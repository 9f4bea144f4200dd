import { Injectable } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';

/**
 * Rate limiting per signed-in principal and client address, for the routes that check a
 * password again (PUT /users/me/password, PATCH /users/me): with a stolen access token, the
 * lock stops guessing after LOGIN_MAX_FAILURES, and this keeps even those few slow.
 */
@Injectable()
export class UserThrottlerGuard extends ThrottlerGuard {
  protected override async getTracker(req: Record<string, unknown>): Promise<string> {
    const user = req.user as { actorId?: string } | undefined;
    return `${user?.actorId ?? 'anonymous'}|${String(req.ip)}`;
  }
}
