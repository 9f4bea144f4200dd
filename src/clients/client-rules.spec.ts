import { describe, expect, it } from 'vitest';
import { AppException } from '../common/errors/app.exception.js';
import { checkClientShape, redirectUriProblem } from './client-rules.js';

const fields = (fn: () => unknown): string[] => {
  try {
    fn();
    return [];
  } catch (err) {
    return ((err as AppException).options.details ?? []).map((d) => d.field);
  }
};

describe('client registration rules', () => {
  it('takes https anywhere, http only on loopback hosts, nothing else (RFC 8252)', () => {
    expect(redirectUriProblem('https://app.example.com/cb')).toBeNull();
    expect(redirectUriProblem('http://localhost:5173/cb')).toBeNull();
    expect(redirectUriProblem('http://127.0.0.1:8080/cb')).toBeNull();
    expect(redirectUriProblem('http://[::1]/cb')).toBeNull();
    expect(redirectUriProblem('http://app.example.com/cb')).toMatch(/https/);
    expect(redirectUriProblem('https://app.example.com/cb#frag')).toMatch(/fragment/);
    expect(redirectUriProblem('https://user:pw@app.example.com/cb')).toMatch(/credentials/);
    expect(redirectUriProblem('javascript:alert(1)')).toMatch(/http/);
    expect(redirectUriProblem('/relative')).toMatch(/absolute/);
  });

  it('keeps password and client_credentials for confidential clients, and the code flow to clients with a redirect URI', () => {
    const ok = {
      type: 'confidential' as const,
      grantTypes: ['authorization_code', 'refresh_token'] as never,
      redirectUris: ['https://a.example/cb'],
      postLogoutRedirectUris: [],
    };
    expect(fields(() => checkClientShape(ok))).toEqual([]);
    expect(fields(() => checkClientShape({ ...ok, type: 'public', grantTypes: ['password', 'client_credentials'] as never }))).toEqual([
      'grant_types',
      'grant_types',
    ]);
    expect(fields(() => checkClientShape({ ...ok, redirectUris: [] }))).toEqual(['redirect_uris']);
    expect(fields(() => checkClientShape({ ...ok, grantTypes: ['refresh_token', 'client_credentials'] as never }))).toEqual([
      'grant_types',
    ]);
    expect(fields(() => checkClientShape({ ...ok, grantTypes: [] as never }))).toEqual(['grant_types']);
    expect(fields(() => checkClientShape({ ...ok, postLogoutRedirectUris: ['http://evil.example/'] }))).toEqual([
      'post_logout_redirect_uris',
    ]);
  });
});
