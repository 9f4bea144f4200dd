import { randomBytes } from 'node:crypto';
import { expect } from 'vitest';
import type { Http } from './http.js';

export const PASSWORD = 'Tr0ub4dor&3-horse-staple';

let counter = 0;
/** A fresh, valid username for this test run. */
export function uniqueName(prefix = 'u'): string {
  counter += 1;
  return `${prefix}${counter}_${randomBytes(3).toString('hex')}`;
}

export interface Registered {
  id: string;
  username: string;
  password: string;
  email: string;
}

export async function register(http: Http, extra: Record<string, unknown> = {}): Promise<Registered> {
  const username = (extra.username as string) ?? uniqueName();
  const email = (extra.email as string) ?? `${username}@example.com`;
  const password = (extra.password as string) ?? PASSWORD;
  const res = await http.post('/api/v1/auth/register', { username, password, email, ...extra });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return { id: res.body.data.id, username, password, email };
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  user: { id: string; permissions: string[] } & Record<string, unknown>;
}

export async function login(http: Http, username: string, password: string, headers: Record<string, string> = {}): Promise<Tokens> {
  const res = await http.post('/api/v1/auth/login', { username, password }, { headers });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return res.body.data;
}

export async function registerAndLogin(http: Http, extra: Record<string, unknown> = {}): Promise<Registered & Tokens> {
  const user = await register(http, extra);
  return { ...user, ...(await login(http, user.username, user.password)) };
}

/** The body of an error answer without the fields that differ per request. */
export function stable(body: Record<string, unknown>): Record<string, unknown> {
  const { request_id: _r, timestamp: _t, ...rest } = body;
  return rest;
}
