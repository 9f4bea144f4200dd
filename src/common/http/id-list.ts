import { applyDecorators } from '@nestjs/common';
import { ArrayMaxSize, ArrayUnique, IsArray, IsInt, IsOptional, Min } from 'class-validator';

/** More than any real set needs, few enough to keep one statement small. */
export const MAX_IDS = 100;

/** A set of positive integer ids, no repeats, at most MAX_IDS (role_ids, permission_ids). */
export function IdList(opts: { optional?: boolean } = {}) {
  return applyDecorators(
    ...(opts.optional ? [IsOptional()] : []),
    IsArray(),
    ArrayMaxSize(MAX_IDS),
    ArrayUnique(),
    IsInt({ each: true }),
    Min(1, { each: true }),
  );
}
