import * as client from 'openid-client';
import { expect } from 'vitest';
import type { Http } from './http.js';

export interface RegisteredClient {
  id: string;
  client_id: string;
  client_secret?: string;
}

/** Registers a client through POST /api/v1/clients as the admin would. */
export async function registerClient(http: Http, adminToken: string, body: Record<string, unknown>): Promise<RegisteredClient> {
  const res = await http.post('/api/v1/clients', body, { token: adminToken });
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return res.body.data;
}

/**
 * openid-client's configuration for a client of the app at `url`, found by OpenID discovery
 * (over plain http: these tests run on loopback).
 */
export async function discover(
  url: string,
  c: RegisteredClient,
  auth: 'basic' | 'post' | 'none' = c.client_secret ? 'basic' : 'none',
): Promise<client.Configuration> {
  const method =
    auth === 'basic'
      ? client.ClientSecretBasic(c.client_secret!)
      : auth === 'post'
        ? client.ClientSecretPost(c.client_secret!)
        : client.None();
  return client.discovery(new URL(`${url}/oauth2`), c.client_id, undefined, method, { execute: [client.allowInsecureRequests] });
}

/** The `error` of an openid-client failure, whichever form it took (a JSON body or a WWW-Authenticate challenge). */
export function oauthError(err: unknown): string | undefined {
  if (err instanceof client.ResponseBodyError) return err.error;
  if (err instanceof client.WWWAuthenticateChallengeError) return err.cause[0]?.parameters.error;
  return (err as { error?: string }).error ?? (err as Error).message;
}

/** Runs `call` and returns the OAuth error it failed with (the test fails if it succeeds). */
export async function refusal(call: Promise<unknown>): Promise<{ error: string | undefined; err: unknown }> {
  try {
    await call;
  } catch (err) {
    return { error: oauthError(err), err };
  }
  throw new Error('expected an OAuth error, got a success');
}
