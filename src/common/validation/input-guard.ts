import { detail, type ErrorDetail } from '../errors/app.exception.js';

/**
 * Checks that run on a request's input before class-transformer and class-validator
 * see it, because those libraries break on it instead of refusing it:
 *
 * - nesting: class-transformer recurses once per level, so a 100 kb body of `[[[[…`
 *   exhausts the call stack (a 500). Nothing this API takes nests beyond a few levels.
 * - ill-formed strings: a lone UTF-16 surrogate (`"\ud800"` in JSON) cannot be encoded
 *   as UTF-8, and validator.js' isEmail/isURL call `encodeURI`, which throws (a 500).
 *   Such a string is no text at all: it is refused, never stored.
 *
 * Both are walked without recursion, so no input can exhaust the stack here either.
 */
export const MAX_INPUT_DEPTH = 32;

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const nativeIsWellFormed = (String.prototype as { isWellFormed?: () => boolean }).isWellFormed;

/** True unless the string holds a lone surrogate (ES2024 `String.prototype.isWellFormed`). */
export function isWellFormed(s: string): boolean {
  return nativeIsWellFormed ? nativeIsWellFormed.call(s) : !LONE_SURROGATE.test(s);
}

/** A string safe to echo in an answer or a log: lone surrogates become U+FFFD. */
export function toWellFormed(s: string): string {
  return isWellFormed(s) ? s : s.replace(new RegExp(LONE_SURROGATE.source, 'g'), '\uFFFD');
}

/**
 * The first problem of a parsed body or query object, or null. `field` is the
 * top-level property it is under (as validation details name fields), or '' for
 * the value as a whole.
 */
export function inspectInput(value: unknown, maxDepth = MAX_INPUT_DEPTH): ErrorDetail | null {
  // [value, depth of the container holding it, top-level property]
  const stack: [unknown, number, string][] = [[value, 0, '']];
  while (stack.length) {
    const [current, depth, field] = stack.pop()!;
    if (typeof current === 'string') {
      if (!isWellFormed(current)) return illFormed(field);
      continue;
    }
    if (current === null || typeof current !== 'object') continue;
    if (depth + 1 > maxDepth) return tooDeep(field, maxDepth);
    if (Array.isArray(current)) {
      for (const item of current) stack.push([item, depth + 1, field]);
      continue;
    }
    for (const key of Object.keys(current)) {
      const top = depth === 0 ? key : field;
      if (!isWellFormed(key)) return illFormed(toWellFormed(top));
      stack.push([(current as Record<string, unknown>)[key], depth + 1, top]);
    }
  }
  return null;
}

function illFormed(field: string): ErrorDetail {
  return detail(field, 'ill_formed');
}

function tooDeep(field: string, maxDepth: number): ErrorDetail {
  return detail(field, 'too_deep', { max: maxDepth });
}
