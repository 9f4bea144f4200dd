import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/**
 * E.164 form of a phone number typed as E.164 (`+8613800138000`) or as a national
 * number of `region` (`13800138000` in CN); null when it is not a valid number.
 */
export function toE164(input: string, region: string): string | null {
  const parsed = parsePhoneNumberFromString(input.trim(), region as CountryCode);
  return parsed?.isValid() ? parsed.number : null;
}

/**
 * Every name a user may type at login: username, email, and the phone in E.164 and in
 * national form (docs/api.md §3 counts failures per name as typed).
 */
export function loginNamesOf(user: { username: string; email: string | null; phone: string | null }): string[] {
  const national = user.phone ? parsePhoneNumberFromString(user.phone)?.nationalNumber : undefined;
  return [user.username, user.email, user.phone, national].filter((n): n is string => !!n);
}
