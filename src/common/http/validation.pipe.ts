import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { AppException, type ErrorDetail } from '../errors/app.exception.js';
import { ErrorCode } from '../errors/error-codes.js';

function flatten(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const own = Object.values(e.constraints ?? {}).map((message) => ({ field, message }));
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

/**
 * The global pipe: unknown properties are rejected (so `roles`, `status`, `id` can never be
 * mass-assigned), payloads are transformed into DTO instances, and every failure becomes
 * 400 VALIDATION_FAILED with per-field details.
 */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    validationError: { target: false, value: false },
    exceptionFactory: (errors) => new AppException(ErrorCode.VALIDATION_FAILED, { details: flatten(errors) }),
  });
}
