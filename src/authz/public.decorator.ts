import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC = 'is_public';
/** Opts a route out of the global access-token guard. Everything else needs a valid access token. */
export const Public = () => SetMetadata(IS_PUBLIC, true);
