import { Injectable, Param, ParseUUIDPipe, type PipeTransform } from '@nestjs/common';
import { AppException } from '../errors/app.exception.js';
import { ErrorCode } from '../errors/error-codes.js';

const INT_ID = /^[1-9]\d{0,9}$/;
const MAX_INT_ID = 2_147_483_647;

/** A role or permission id in the path: a positive integer, or 404 (nothing can have that id). */
@Injectable()
export class ParseIdPipe implements PipeTransform<string, number> {
  transform(value: string): number {
    const id = INT_ID.test(value) ? Number(value) : NaN;
    if (!(id >= 1 && id <= MAX_INT_ID)) throw new AppException(ErrorCode.NOT_FOUND);
    return id;
  }
}

/** `@IdParam() id: number`: the `:id` of a role or permission. */
export const IdParam = () => Param('id', ParseIdPipe);

/** `@UuidParam() id: string`: the `:id` of a user; anything but a UUID cannot name one → 404. */
export const UuidParam = () => Param('id', new ParseUUIDPipe({ exceptionFactory: () => new AppException(ErrorCode.NOT_FOUND) }));
