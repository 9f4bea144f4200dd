import { parsePhoneNumberFromString } from 'libphonenumber-js';

/**
 * Every name a user may type at login: username, email, and the phone in E.164 and in
 * national form (docs/api.md §3 counts failures per name as typed).
 */
export function loginNamesOf(user: { username: string; email: string | null; phone: string | null }): string[] {
  const national = user.phone ? parsePhoneNumberFromString(user.phone)?.nationalNumber : undefined;
  return [user.username, user.email, user.phone, national].filter((n): n is string => !!n);
}
