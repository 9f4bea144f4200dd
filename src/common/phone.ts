import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/**
 * E.164 form of a phone number typed as E.164 (`+8613800138000`) or as a national
 * number of `region` (`13800138000` in CN); null when it is not a valid number.
 */
export function toE164(input: string, region: string): string | null {
  const parsed = parsePhoneNumberFromString(input.trim(), region as CountryCode);
  return parsed?.isValid() ? parsed.number : null;
}

/** Looks like a phone number however it is spaced or hyphenated: `+86 138-0013-8000`, `1-3-8…`. */
const PHONE_LIKE = /^\+?[\d\s\-().]{5,}$/;

/**
 * The canonical form of a login name (docs/api.md §3): trimmed and lower-cased, and a
 * phone-like name that is a valid number in E.164, so every spelling of one number is
 * one name.
 */
export function canonicalLogin(login: string, region: string): { name: string; phone: string | null } {
  const name = login.trim().toLowerCase();
  const phone = PHONE_LIKE.test(name) && /\d/.test(name) ? toE164(name, region) : null;
  return { name: phone ?? name, phone };
}
