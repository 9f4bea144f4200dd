import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';

/**
 * E.164 form of a phone number typed as E.164 (`+8613800138000`) or as a national
 * number of `region` (`13800138000` in CN); null when it is not a valid number.
 */
export function toE164(input: string, region: string): string | null {
  const parsed = parsePhoneNumberFromString(input.trim(), region as CountryCode);
  return parsed?.isValid() ? parsed.number : null;
}
