import { HttpException, Logger, ValidationPipe, type ArgumentMetadata, type Type, type ValidationError } from '@nestjs/common';
import { getMetadataStorage } from 'class-validator';
import { AppException, detail, type ErrorDetail } from '../errors/app.exception.js';
import type { DetailCode, DetailParams } from '../i18n/details.js';
import { ErrorCode } from '../errors/error-codes.js';
import { inspectInput, isWellFormed } from '../validation/input-guard.js';

type Rule = (args: unknown[]) => [DetailCode, DetailParams?];

/** class-validator's constraint names → the stable detail codes of docs/api.md §1. */
const RULES: Record<string, Rule> = {
  isDefined: () => ['required'],
  isNotEmpty: () => ['required'],
  isString: () => ['invalid_type', { type: 'string' }],
  isInt: () => ['invalid_type', { type: 'integer' }],
  isNumber: () => ['invalid_type', { type: 'number' }],
  isBoolean: () => ['invalid_type', { type: 'boolean' }],
  isArray: () => ['invalid_type', { type: 'array' }],
  isObject: () => ['invalid_type', { type: 'object' }],
  nestedValidation: () => ['invalid_type', { type: 'object' }],
  minLength: ([min]) => ['too_short', { min: Number(min) }],
  maxLength: ([max]) => ['too_long', { max: Number(max) }],
  min: ([min]) => ['too_small', { min: Number(min) }],
  max: ([max]) => ['too_large', { max: Number(max) }],
  arrayMaxSize: ([max]) => ['too_many', { max: Number(max) }],
  arrayUnique: () => ['duplicate'],
  isIn: ([values]) => ['invalid_value', Array.isArray(values) ? { values: values.join(', ') } : undefined],
  isEnum: () => ['invalid_value'],
  matches: () => ['invalid_format', { format: 'pattern' }],
  isEmail: () => ['invalid_format', { format: 'email' }],
  isUrl: () => ['invalid_format', { format: 'url' }],
  isISO8601: () => ['invalid_format', { format: 'date' }],
  isUUID: () => ['invalid_format', { format: 'uuid' }],
  whitelistValidation: () => ['not_allowed'],
};

const TYPE_RULES = new Set(['isString', 'isInt', 'isNumber', 'isBoolean', 'isArray', 'isObject', 'nestedValidation']);

/** The rule (its arguments and any message of its own) behind a failed constraint of `target`'s class. */
function ruleOf(target: object | undefined, property: string, constraint: string): { args: unknown[]; message?: string } {
  if (!target) return { args: [] };
  const rules = getMetadataStorage().getTargetValidationMetadatas(target.constructor, '', true, false);
  const rule = rules.find((r) => r.propertyName === property && r.name === constraint);
  return { args: rule?.constraints ?? [], message: typeof rule?.message === 'string' ? rule.message : undefined };
}

/**
 * class-validator's errors as details, one per field, with its stable code and parameters.
 * A field that is missing says it is required, not which of its other rules nothing passes.
 */
function flatten(errors: ValidationError[], parent = ''): ErrorDetail[] {
  return errors.flatMap((e) => {
    const field = parent ? `${parent}.${e.property}` : e.property;
    const failed = Object.keys(e.constraints ?? {});
    let own: ErrorDetail[];
    if (failed.length && (e.value === undefined || e.value === null) && !failed.includes('whitelistValidation')) {
      own = [detail(field, 'required')];
    } else {
      // One detail per field: the wrong type first (its other rules cannot be met either).
      const constraint = failed.find((c) => TYPE_RULES.has(c)) ?? failed[0];
      if (constraint) {
        const { args, message } = ruleOf(e.target, e.property, constraint);
        const [code, params] = RULES[constraint]?.(args) ?? ['invalid'];
        own = [detail(field, code, params, message)];
      } else own = [];
    }
    return [...own, ...flatten(e.children ?? [], field)];
  });
}

const invalid = (details: ErrorDetail[]) => new AppException(ErrorCode.VALIDATION_FAILED, { details });

interface Shape {
  declared: Set<string>;
  arrays: Set<string>;
}
const shapes = new WeakMap<Type<unknown>, Shape>();

/** The properties a DTO class declares (has rules for), and which of them take arrays. */
function shapeOf(metatype: Type<unknown>): Shape {
  let shape = shapes.get(metatype);
  if (!shape) {
    const rules = getMetadataStorage().getTargetValidationMetadatas(metatype, '', false, false);
    const declared = new Set(rules.map((r) => r.propertyName));
    const arrays = new Set<string>();
    for (const name of declared) {
      const type = Reflect.getMetadata?.('design:type', metatype.prototype, name);
      if (type === Array || rules.some((r) => r.propertyName === name && (r.each || r.name === 'isArray'))) arrays.add(name);
    }
    shape = { declared, arrays };
    shapes.set(metatype, shape);
  }
  return shape;
}

/**
 * The global pipe: unknown properties are rejected (so `roles`, `status`, `id` can never be
 * mass-assigned), payloads are transformed into DTO instances, and every failure becomes
 * 400 VALIDATION_FAILED with per-field details.
 *
 * Before class-transformer and class-validator run, it also refuses what they would get
 * wrong (issue #12): input nested too deep or holding ill-formed strings (input-guard.ts;
 * JSON bodies were checked by the parser already), keys named like Object.prototype
 * members that the DTO does not declare, and a repeated query parameter (an array) where
 * the DTO takes one value. A path parameter that is not well-formed text names nothing: 404.
 * Should a validator still throw on some input, the input is answered 400, not 500.
 */
export class AppValidationPipe extends ValidationPipe {
  private readonly logger = new Logger('ValidationPipe');

  override async transform(value: unknown, metadata: ArgumentMetadata): Promise<unknown> {
    if (metadata.type === 'param') {
      if (typeof value === 'string' && !isWellFormed(value)) throw new AppException(ErrorCode.NOT_FOUND);
      return super.transform(value, metadata);
    }
    if (metadata.type !== 'body' && metadata.type !== 'query') return super.transform(value, metadata);

    const problem = inspectInput(value);
    if (problem) throw invalid([problem]);

    const problems: ErrorDetail[] = [];
    let input = value;
    if (metadata.metatype && this.toValidate(metadata) && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const { declared, arrays } = shapeOf(metadata.metatype);
      const copy: Record<string, unknown> = {};
      for (const key of Object.keys(value)) {
        const item = (value as Record<string, unknown>)[key];
        // Every key the DTO does not declare, here, before class-transformer can drop or
        // rename one (`prototype`, the names of Object.prototype's members).
        if (!declared.has(key)) {
          problems.push(detail(key, 'not_allowed'));
        } else if (metadata.type === 'query' && item !== null && typeof item === 'object' && declared.has(key) && !arrays.has(key)) {
          problems.push(detail(key, 'single_value'));
        } else {
          Object.defineProperty(copy, key, { value: item, enumerable: true, writable: true, configurable: true });
        }
      }
      input = copy;
    }

    let result: unknown;
    try {
      result = await super.transform(input, metadata);
    } catch (err) {
      if (err instanceof AppException) {
        if (problems.length && err.code === ErrorCode.VALIDATION_FAILED) throw invalid([...problems, ...(err.options.details ?? [])]);
        throw err;
      }
      if (err instanceof HttpException) throw err;
      // A transformer or validator threw on the input instead of judging it: the input
      // is what it could not handle, so it is refused; the log keeps the error.
      this.logger.warn(
        `a validator threw on ${metadata.type} input: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
      );
      throw invalid(problems.length ? problems : [detail(metadata.data ?? '', 'invalid')]);
    }
    if (problems.length) throw invalid(problems);
    return result;
  }
}

export function createValidationPipe(): ValidationPipe {
  return new AppValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    // Kept inside the process: the class finds each rule's arguments, the value tells a missing field.
    validationError: { target: true, value: true },
    exceptionFactory: (errors) => invalid(flatten(errors)),
  });
}
