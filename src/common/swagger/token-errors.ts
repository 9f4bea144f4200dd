import { ErrorCode as E } from '../errors/error-codes.js';

/** What any route behind the access guard can answer about the token. */
export const TOKEN_ERRORS = [E.UNAUTHENTICATED, E.INVALID_TOKEN, E.TOKEN_EXPIRED, E.TOKEN_REVOKED, E.INVALID_TOKEN_TYPE] as const;

/** A permission-guarded route: the token errors plus FORBIDDEN. */
export const GUARDED_ERRORS = [...TOKEN_ERRORS, E.FORBIDDEN] as const;
