/**
 * The page: sign in (with a second factor when the account has one), show the signed-in user,
 * make an authenticated call that survives an expired access token, sign out.
 * All the session logic is in session.ts; this file only moves it onto the page.
 */
import { errorMessage, Session, type Me } from './session';

const $ = <T extends HTMLElement>(selector: string): T => {
  const element = document.querySelector<T>(selector);
  if (!element) throw new Error(`missing ${selector}`);
  return element;
};

const status = $<HTMLParagraphElement>('#status');
const signin = $<HTMLFormElement>('#signin');
const mfa = $<HTMLFormElement>('#mfa');
const account = $<HTMLElement>('#account');
const log = $<HTMLOListElement>('#log');
const sessionsResult = $<HTMLParagraphElement>('#sessions-result');

const API_URL = import.meta.env.VITE_API_URL ?? 'http://localhost:3000';

const session = new Session(API_URL, (line) => {
  const item = document.createElement('li');
  item.textContent = `${new Date().toLocaleTimeString()} ${line}`;
  log.append(item);
});
let mfaToken: string | null = null;
$('#api-url').textContent = API_URL;

function say(text: string, isError = false): void {
  status.textContent = text;
  status.classList.toggle('error', isError);
}

function show(view: 'signin' | 'mfa' | 'account'): void {
  signin.hidden = view !== 'signin';
  mfa.hidden = view !== 'mfa';
  account.hidden = view !== 'account';
}

function showMe(me: Me): void {
  $('#who').textContent = me.nickname ? `${me.nickname} (${me.username})` : me.username;
  $('#email').textContent = me.email ?? '—';
  $('#roles').textContent = me.roles.map((role) => role.code).join(', ') || '—';
  $('#permissions').textContent = me.permissions.join(', ') || '—';
  sessionsResult.textContent = '';
  show('account');
  say(`Signed in as ${me.username}.`);
}

function signedOut(text = 'Signed out.'): void {
  mfaToken = null;
  show('signin');
  say(text);
}

signin.addEventListener('submit', async (event) => {
  event.preventDefault();
  const form = new FormData(signin);
  say('Signing in…');
  const result = await session.login(String(form.get('username')), String(form.get('password')));
  if (result.kind === 'error') return say(errorMessage(result.error), true);
  if (result.kind === 'mfa') {
    if (result.challenge.mfa_enrolment_required) {
      // Enrolling (showing a QR code, confirming a first code) is beyond this example: see its README.
      return say('Your account must set up a second factor first: sign in once on the service’s own sign-in page.', true);
    }
    mfaToken = result.challenge.mfa_token;
    show('mfa');
    return say('Enter your second factor.');
  }
  signin.reset();
  showMe(result.me);
});

mfa.addEventListener('submit', async (event) => {
  event.preventDefault();
  if (!mfaToken) return signedOut('Start again.');
  const result = await session.completeMfa(mfaToken, String(new FormData(mfa).get('code')).trim());
  if (result.kind === 'error') return say(errorMessage(result.error), true);
  mfa.reset();
  signin.reset();
  showMe(result.me);
});

$('#sessions-button').addEventListener('click', async () => {
  const res = await session.authed(() => session.client.GET('/api/v1/users/me/sessions'));
  if (!res.data) {
    if (!session.signedIn) return signedOut('Your session has ended: sign in again.');
    return say(errorMessage(res.error), true);
  }
  const sessions = res.data.data;
  const current = sessions.find((s) => s.current);
  sessionsResult.textContent =
    `You have ${sessions.length} active session${sessions.length === 1 ? '' : 's'}` +
    (current ? `; this one started ${new Date(current.created_at).toLocaleString()}.` : '.');
  say(`Sessions loaded at ${new Date().toLocaleTimeString()}.`);
});

$('#logout-button').addEventListener('click', async () => {
  await session.logout();
  signedOut();
});

// After a reload the access token is gone; the refresh cookie (if any) brings the session back.
const me = await session.me();
if (me) showMe(me);
else signedOut('Not signed in.');
