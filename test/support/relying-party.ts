import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as client from 'openid-client';

/** What a relying party holds after a sign-in. */
export interface RpSignIn {
  tokens: client.TokenEndpointResponse & client.TokenEndpointResponseHelpers;
  claims: client.IDToken;
  userinfo: client.UserInfoResponse;
}

interface Pending {
  name: string;
  verifier: string;
  nonce: string;
}

const escape = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

/**
 * A tiny relying party on its own port, as a web app would use openid-client v6: `/login/:name`
 * redirects to the authorization endpoint (PKCE S256, state, nonce, the query's scope and
 * prompt), `/cb/:name` exchanges the code, validates the ID token and reads userinfo,
 * `/logout/:name` is RP-initiated logout, `/bye` where the provider sends the browser after it.
 * Clients are registered after it starts (they need its redirect URIs): `use(name, config)`.
 */
export class RelyingParty {
  readonly signedIn = new Map<string, RpSignIn>();
  readonly errors: string[] = [];
  private readonly configs = new Map<string, client.Configuration>();
  private readonly pending = new Map<string, Pending>();
  private server?: Server;
  origin = '';

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: Error) => {
        this.errors.push(`${err.name}: ${err.message}`);
        this.html(res, 400, 'Error', `<p id="error">${escape(err.name)}: ${escape(err.message)}</p>`);
      });
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.origin = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  close(): Promise<void> {
    return new Promise((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }

  redirectUri(name: string): string {
    return `${this.origin}/cb/${name}`;
  }

  get postLogoutUri(): string {
    return `${this.origin}/bye`;
  }

  use(name: string, config: client.Configuration): void {
    this.configs.set(name, config);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url!, this.origin);
    const [, action, name] = url.pathname.split('/');
    const config = this.configs.get(name ?? '');
    if (action === 'login' && config) {
      const verifier = client.randomPKCECodeVerifier();
      const state = client.randomState();
      const nonce = client.randomNonce();
      this.pending.set(state, { name, verifier, nonce });
      const target = client.buildAuthorizationUrl(config, {
        redirect_uri: this.redirectUri(name),
        scope: url.searchParams.get('scope') ?? 'openid profile',
        code_challenge: await client.calculatePKCECodeChallenge(verifier),
        code_challenge_method: 'S256',
        state,
        nonce,
        ...(url.searchParams.get('prompt') ? { prompt: url.searchParams.get('prompt')! } : {}),
      });
      res.writeHead(302, { location: target.href }).end();
      return;
    }
    if (action === 'cb' && config) {
      const state = url.searchParams.get('state') ?? '';
      const pending = this.pending.get(state);
      if (!pending || pending.name !== name) throw new Error('unknown state');
      this.pending.delete(state);
      const tokens = await client.authorizationCodeGrant(config, url, {
        pkceCodeVerifier: pending.verifier,
        expectedState: state,
        expectedNonce: pending.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims()!;
      const userinfo = await client.fetchUserInfo(config, tokens.access_token, claims.sub);
      this.signedIn.set(name, { tokens, claims, userinfo });
      this.html(
        res,
        200,
        'Signed in',
        `<p id="who">Signed in to ${escape(name)} as ${escape(String(userinfo.preferred_username ?? claims.sub))}</p>`,
      );
      return;
    }
    if (action === 'logout' && config) {
      const signIn = this.signedIn.get(name);
      const target = client.buildEndSessionUrl(config, {
        post_logout_redirect_uri: this.postLogoutUri,
        state: 'bye-state',
        ...(signIn?.tokens.id_token ? { id_token_hint: signIn.tokens.id_token } : {}),
      });
      res.writeHead(302, { location: target.href }).end();
      return;
    }
    if (action === 'bye') {
      this.html(res, 200, 'Signed out', `<p id="bye">Signed out (state ${escape(url.searchParams.get('state') ?? '')})</p>`);
      return;
    }
    this.html(res, 404, 'Not found', '<p>not found</p>');
  }

  private html(res: ServerResponse, status: number, title: string, body: string): void {
    res.writeHead(status, { 'content-type': 'text/html; charset=utf-8' }).end(`<!doctype html><title>${title}</title>${body}`);
  }
}
