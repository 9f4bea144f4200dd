import { expect } from 'vitest';
import { ADMIN } from './app.js';
import type { Http } from './http.js';
import { login, PASSWORD, uniqueName, type Tokens } from './users.js';

/** The seeded SUPER_ADMIN's tokens. */
export function loginAdmin(http: Http): Promise<Tokens> {
  return login(http, ADMIN.username, ADMIN.password);
}

/** Id of the role or permission with this code (looked up as the given admin). */
export async function idOf(http: Http, token: string, kind: 'roles' | 'permissions', code: string): Promise<number> {
  const res = await http.get(`/api/v1/${kind}`, { token, query: { keyword: code, page_size: 100 } });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const found = res.body.data.items.find((x: { code: string }) => x.code === code);
  expect(found, `${kind} ${code}`).toBeTruthy();
  return found.id;
}

export interface Created {
  id: string;
  username: string;
  password: string;
  email: string;
}

/** POST /users as `token`; expects 201. */
export async function createUser(http: Http, token: string, extra: Record<string, unknown> = {}): Promise<Created> {
  const username = (extra.username as string) ?? uniqueName('adm');
  const body = { username, password: PASSWORD, email: `${username}@example.com`, ...extra };
  const res = await http.post('/api/v1/users', body, { token });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.data.id, username, password: body.password as string, email: body.email as string };
}

/** A user created by the super admin with the roles of these codes, signed in. */
export async function userWithRoles(http: Http, adminToken: string, codes: string[]): Promise<Created & Tokens> {
  const role_ids = await Promise.all(codes.map((c) => idOf(http, adminToken, 'roles', c)));
  const user = await createUser(http, adminToken, { role_ids });
  return { ...user, ...(await login(http, user.username, user.password)) };
}
