import { Injectable } from '@nestjs/common';

/**
 * How a sign-in attempt at any door ended (docs/operations.md, `authcentre_logins_total`).
 * A sign-in with a second factor counts twice: `mfa_required` for the password step, then
 * `success` (or `mfa_failed`, `locked`) for the code.
 */
export type LoginOutcome =
  | 'success'
  | 'bad_credentials'
  | 'locked'
  | 'captcha_required'
  | 'captcha_invalid'
  | 'mfa_required'
  | 'mfa_failed'
  | 'disabled'
  | 'email_not_verified'
  | 'error';

/** How a refresh of the API door ended: rotated, or refused and why. `reused` is theft detection. */
export type RefreshOutcome = 'success' | 'reused' | 'revoked' | 'expired' | 'invalid';

/**
 * What the features report for the metrics (docs/operations.md). Every method is a cheap,
 * synchronous counter bump: no I/O, no promise, nothing allocated by the caller.
 * `grantType` and `outcome` of `oauthGrant` may come from a request; the receiving side
 * bounds them to a known set.
 */
export interface TelemetrySink {
  login(outcome: LoginOutcome): void;
  /** A name was locked (LOGIN_MAX_FAILURES reached). */
  lockout(): void;
  refresh(outcome: RefreshOutcome): void;
  /** A token request at /oauth2/token: `outcome` is `success` or the OAuth error code. */
  oauthGrant(grantType: string | undefined, outcome: string): void;
  /** Seconds a password hash waited for a slot of the hashing pool (0 when one was free). */
  hashWait(seconds: number): void;
}

const NOTHING: TelemetrySink = {
  login: () => undefined,
  lockout: () => undefined,
  refresh: () => undefined,
  oauthGrant: () => undefined,
  hashWait: () => undefined,
};

/**
 * The features' side of the metrics. It lives here, below every feature, because the
 * features that report (credentials, auth, oauth) sit in many layers and the metrics module
 * sits above them all: a low layer must never import it (docs/architecture.md). So the
 * features call this relay, and the metrics module, when METRICS_PORT turns it on,
 * attaches its sink at start, as users register their AccessSource with authz. Without
 * it every call is a no-op.
 */
@Injectable()
export class Telemetry implements TelemetrySink {
  private sink: TelemetrySink = NOTHING;

  /** Called once by the metrics module. */
  attach(sink: TelemetrySink): void {
    this.sink = sink;
  }

  login(outcome: LoginOutcome): void {
    this.sink.login(outcome);
  }

  lockout(): void {
    this.sink.lockout();
  }

  refresh(outcome: RefreshOutcome): void {
    this.sink.refresh(outcome);
  }

  oauthGrant(grantType: string | undefined, outcome: string): void {
    this.sink.oauthGrant(grantType, outcome);
  }

  hashWait(seconds: number): void {
    this.sink.hashWait(seconds);
  }
}
