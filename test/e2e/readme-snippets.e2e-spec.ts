import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DB, startIssuer, type TestApp } from '../support/app.js';
import { registerAndLogin } from '../support/users.js';

/**
 * The README's code for other services runs as written (only the address of this test's
 * service put in, and the TypeScript annotation dropped): a resource server verifying our
 * access tokens with jose. (The cookie-mode snippet runs in Chromium: cookie-browser.e2e-spec.ts.)
 */
describe(`the README's snippets [${DB}]`, () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startIssuer();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('verifies an access token with the resource-server snippet (jose), and refuses a forged one', async () => {
    const readme = await readFile('README.md', 'utf8');
    const snippet = /Your other services[\s\S]*?```ts\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(snippet, 'the jose snippet of README.md').toBeTruthy();
    const code = snippet!.replaceAll('https://id.example.com', t.url).replace('authorization?: string', 'authorization');
    // Beside node_modules, so `jose` resolves as it does in a service of yours.
    await mkdir('test-artifacts', { recursive: true });
    const file = resolve(`test-artifacts/readme-jose.${DB}.mjs`);
    await writeFile(file, code);
    const { authenticate } = (await import(`${pathToFileURL(file).href}?${Date.now()}`)) as {
      authenticate: (authorization?: string) => Promise<{ sub: string; iss: string; aud: string | string[] }>;
    };

    const user = await registerAndLogin(t.http);
    const payload = await authenticate(`Bearer ${user.access_token}`);
    expect(payload.sub).toBe(user.id);
    expect(payload.iss).toBe(`${t.url}/oauth2`);
    await expect(authenticate()).rejects.toThrow('no bearer token');
    const [header, body] = user.access_token.split('.');
    await expect(authenticate(`Bearer ${header}.${body}.${'A'.repeat(86)}`)).rejects.toThrow();
  });
});
