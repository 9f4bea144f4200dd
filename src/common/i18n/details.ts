import type { Locale } from './messages.js';

/**
 * The stable codes of validation `details` (docs/api.md §1): a frontend translates or
 * reacts to `code` (with `params`), and shows `message` when it has nothing better. Add a
 * code here, with its text in every locale, rather than a free-form message at a call site.
 */
export const DETAIL_CODES = [
  'required',
  'not_allowed',
  'invalid_type',
  'invalid_format',
  'invalid_value',
  'too_short',
  'too_long',
  'too_small',
  'too_large',
  'too_many',
  'duplicate',
  'single_value',
  'too_deep',
  'ill_formed',
  'same_as_username',
  'too_common',
  'exactly_one',
  'unknown_id',
  'conflict',
  'invalid',
] as const;

export type DetailCode = (typeof DETAIL_CODES)[number];

export type DetailParams = Record<string, string | number>;

const TEXT: Record<Locale, Record<DetailCode, string>> = {
  en: {
    required: '{field} is required',
    not_allowed: '{field} is not allowed here',
    invalid_type: '{field} must be {type}',
    invalid_format: '{field} must be {format}',
    invalid_value: '{field} must be one of: {values}',
    too_short: '{field} must be at least {min} characters',
    too_long: '{field} must be at most {max} characters',
    too_small: '{field} must be at least {min}',
    too_large: '{field} must be at most {max}',
    too_many: '{field} must have at most {max} items',
    duplicate: '{field} must not repeat a value',
    single_value: '{field} must be given once',
    too_deep: '{field} must not be nested deeper than {max} levels',
    ill_formed: '{field} must be well-formed Unicode text',
    same_as_username: '{field} must not be the same as the username',
    too_common: '{field} is too common',
    exactly_one: 'send exactly one of {fields}',
    unknown_id: 'unknown id(s) in {field}: {ids}',
    conflict: '{field}: {reason}',
    invalid: '{field} is invalid',
  },
  'zh-CN': {
    required: '{field} 为必填项',
    not_allowed: '不允许提供 {field}',
    invalid_type: '{field} 必须是{type}',
    invalid_format: '{field} 必须是{format}',
    invalid_value: '{field} 必须是以下之一:{values}',
    too_short: '{field} 至少需要 {min} 个字符',
    too_long: '{field} 最多 {max} 个字符',
    too_small: '{field} 不能小于 {min}',
    too_large: '{field} 不能大于 {max}',
    too_many: '{field} 最多 {max} 项',
    duplicate: '{field} 不能包含重复值',
    single_value: '{field} 只能提供一次',
    too_deep: '{field} 的嵌套不能超过 {max} 层',
    ill_formed: '{field} 必须是格式正确的 Unicode 文本',
    same_as_username: '{field} 不能与用户名相同',
    too_common: '{field} 过于常见',
    exactly_one: '{fields} 必须且只能提供其中一个',
    unknown_id: '{field} 中有不存在的 id:{ids}',
    conflict: '{field}:{reason}',
    invalid: '{field} 无效',
  },
};

/** Words for the `type` and `format` params, per locale (the params themselves stay machine words). */
const WORDS: Record<Locale, Record<string, string>> = {
  en: {
    string: 'a string',
    integer: 'an integer',
    number: 'a number',
    boolean: 'true or false',
    array: 'an array',
    object: 'an object',
    email: 'an email address',
    url: 'an http(s) URL',
    date: 'an ISO 8601 date or date-time',
    uuid: 'a UUID',
    pattern: 'in the documented format',
    digits6: '6 digits',
    phone: 'a valid phone number',
  },
  'zh-CN': {
    string: '字符串',
    integer: '整数',
    number: '数字',
    boolean: 'true 或 false',
    array: '数组',
    object: '对象',
    email: '邮箱地址',
    url: 'http(s) 网址',
    date: 'ISO 8601 日期或时间',
    uuid: 'UUID',
    pattern: '文档所述的格式',
    digits6: '6 位数字',
    phone: '有效的电话号码',
  },
};

/** The text of a detail in `locale`. */
export function detailText(locale: Locale, code: DetailCode, field: string, params: DetailParams = {}): string {
  const values: DetailParams = { field: field || (locale === 'en' ? 'the value' : '该值'), ...params };
  for (const key of ['type', 'format'] as const) {
    const word = WORDS[locale][String(params[key])];
    if (word) values[key] = word;
  }
  return TEXT[locale][code].replace(/\{(\w+)\}/g, (_, key: string) => String(values[key] ?? ''));
}
