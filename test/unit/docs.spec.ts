import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ErrorCode } from '../../src/common/errors/error-codes.js';
import { DETAIL_CODES } from '../../src/common/i18n/details.js';
import { envSchema } from '../../src/config/env.schema.js';

/**
 * The repository documents itself: its reference pages must name everything the code knows,
 * and must never point outside the repository.
 */
const read = (path: string) => readFileSync(path, 'utf8');
const DOCS = [
  'README.md',
  ...readdirSync('docs')
    .filter((f) => f.endsWith('.md'))
    .map((f) => join('docs', f)),
];

describe('the documentation', () => {
  it('lists every error key and every details code in docs/errors.md', () => {
    const errors = read('docs/errors.md');
    for (const key of Object.values(ErrorCode)) expect(errors, key).toContain(`\`${key}\``);
    for (const code of DETAIL_CODES) expect(errors, code).toContain(`| \`${code}\` |`);
  });

  it('describes every setting in docs/configuration.md and .env.example', () => {
    const configuration = read('docs/configuration.md');
    const example = read('.env.example');
    for (const name of Object.keys(envSchema.shape)) {
      expect(configuration, name).toContain(`| \`${name}\` |`);
      expect(example, name).toMatch(new RegExp(`^#? ?${name}=`, 'm'));
    }
  });

  it('links only to files inside the repository, and every such link resolves', () => {
    for (const file of DOCS) {
      const text = read(file);
      expect(text, file).not.toMatch(/\.\.\/shared|\/work\/|SEEDS\.md/);
      for (const [, target] of text.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)) {
        if (/^[a-z]+:/i.test(target)) continue;
        expect(existsSync(resolve(dirname(file), target)), `${file} → ${target}`).toBe(true);
      }
    }
  });
});
