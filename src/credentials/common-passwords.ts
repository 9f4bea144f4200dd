import { createRequire } from 'node:module';

/**
 * The "top common passwords" list of docs/api.md §3: the ranked `passwords` dictionary that
 * zxcvbn-ts ships (≈49k entries, already lower-case, maintained with the package).
 *
 * The package decompresses its dictionaries when it is first loaded, so it is required on
 * first use rather than imported: processes that never check a password (migrations, CLI
 * scripts) do not pay for it.
 */
const PACKAGE = '@zxcvbn-ts/language-common';
const requireCjs = createRequire(import.meta.url);

type LanguageCommon = typeof import('@zxcvbn-ts/language-common');

/** Package name and version, for the README and the start-up log. */
export const COMMON_PASSWORD_SOURCE = `${PACKAGE}@${(requireCjs(`${PACKAGE}/package.json`) as { version: string }).version} (dictionary "passwords-common")`;

let common: Set<string> | undefined;

function load(): Set<string> {
  if (!common) {
    const { dictionary } = requireCjs(PACKAGE) as LanguageCommon;
    common = new Set(dictionary['passwords-common'].map((p) => p.toLowerCase()));
  }
  return common;
}

/** True when the password, compared case-insensitively, is on the list. */
export function isCommonPassword(password: string): boolean {
  return load().has(password.toLowerCase());
}

/** How many distinct entries the list holds (docs/api.md §3 asks for at least 10,000). */
export function commonPasswordCount(): number {
  return load().size;
}
