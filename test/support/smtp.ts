/**
 * A real SMTP server (the `smtp-server` package) that collects every message
 * it receives, for end-to-end tests of outgoing mail.
 *
 *   const smtp = await startSmtp();           // smtp.url === 'smtp://127.0.0.1:PORT'
 *   … make the app send a mail to alice@example.test …
 *   const mail = await smtp.waitFor((m) => m.to.includes('alice@example.test'));
 *   expect(mail.subject).toBe('Verify your e-mail');
 *   const link = /https?:\/\/\S+token=\w+/.exec(mail.text)?.[0];
 *   await smtp.stop();
 *
 * Any AUTH credentials are accepted; STARTTLS is disabled so plain-text
 * clients (nodemailer with `secure: false`) never try to upgrade.
 */
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerDataStream, type SMTPServerSession } from 'smtp-server';

export interface ReceivedMail {
  /** Envelope sender (MAIL FROM), '' for a null sender. */
  from: string;
  /** Envelope recipients (RCPT TO), bare addresses as sent by the client. */
  to: string[];
  /** The whole message as received (headers + body, CRLF line endings). */
  raw: string;
  /**
   * `raw` with quoted-printable soft line breaks (`=\r\n`) removed and `=3D`
   * decoded to `=`, so URLs and tokens in the body can be matched with a regex.
   */
  text: string;
  /** The Subject header, unfolded, with RFC 2047 encoded words decoded. '' if absent. */
  subject: string;
}

export interface SmtpHandle {
  /** smtp://127.0.0.1:PORT */
  url: string;
  port: number;
  /** Every message received so far, oldest first. Clear with `messages.length = 0`. */
  messages: ReceivedMail[];
  /**
   * Resolve with the first message (already received or arriving later) that
   * matches `predicate`; reject after `timeoutMs` (default 10 s) with a list of
   * what did arrive.
   */
  waitFor(predicate: (m: ReceivedMail) => boolean, timeoutMs?: number): Promise<ReceivedMail>;
  /** Stop accepting connections and close the server. Idempotent. */
  stop(): Promise<void>;
}

/** Decode RFC 2047 encoded words (=?charset?B|Q?...?=) in a header value. */
export function decodeMimeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?[^?]+\?[BbQq]\?[^?]*\?=)/g, '$1') // whitespace between words is dropped
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_m: string, charset: string, enc: string, data: string) => {
      let bytes: Buffer;
      if (enc.toUpperCase() === 'B') {
        bytes = Buffer.from(data, 'base64');
      } else {
        const parts: number[] = [];
        const s = data.replace(/_/g, ' ');
        for (let i = 0; i < s.length; i++) {
          const hex = s.slice(i + 1, i + 3);
          if (s[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
            parts.push(parseInt(hex, 16));
            i += 2;
          } else {
            parts.push(s.charCodeAt(i) & 0xff);
          }
        }
        bytes = Buffer.from(parts);
      }
      return /^(us-ascii|iso-8859-1|latin1)$/i.test(charset) ? bytes.toString('latin1') : bytes.toString('utf8');
    });
}

/** The value of the first header called `name` (case-insensitive), unfolded; undefined if absent. */
export function headerValue(raw: string, name: string): string | undefined {
  const end = raw.search(/\r?\n\r?\n/);
  const head = (end === -1 ? raw : raw.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const wanted = name.toLowerCase();
  for (const line of head.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0 && line.slice(0, colon).trim().toLowerCase() === wanted) return line.slice(colon + 1).trim();
  }
  return undefined;
}

/** Quoted-printable soft line breaks removed and `=3D` decoded; nothing else. */
export function softDecode(raw: string): string {
  return raw.replace(/=\r?\n/g, '').replace(/=3D/gi, '=');
}

/** Bare addresses from an address-list header such as `To: "A" <a@x>, b@y`. */
function addressesFromHeader(value: string | undefined): string[] {
  if (!value) return [];
  const out: string[] = [];
  for (const m of value.matchAll(/<([^<>\s]+@[^<>\s]+)>|([^\s<>,;"]+@[^\s<>,;"]+)/g)) {
    const addr = m[1] ?? m[2];
    if (addr) out.push(addr);
  }
  return out;
}

function toReceivedMail(raw: string, session: SMTPServerSession): ReceivedMail {
  const { mailFrom, rcptTo } = session.envelope;
  const envelopeTo = rcptTo.map((r) => r.address);
  return {
    from: mailFrom ? mailFrom.address : '',
    to: envelopeTo.length > 0 ? envelopeTo : addressesFromHeader(headerValue(raw, 'to')),
    raw,
    text: softDecode(raw),
    subject: decodeMimeWords(headerValue(raw, 'subject') ?? ''),
  };
}

function describe(m: ReceivedMail): string {
  return `  to=${m.to.join(',')} subject=${JSON.stringify(m.subject)}`;
}

/** Start an SMTP server on a free 127.0.0.1 port. */
export async function startSmtp(): Promise<SmtpHandle> {
  const messages: ReceivedMail[] = [];
  const waiters = new Set<(m: ReceivedMail) => void>();

  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    banner: 'authcentre test SMTP',
    closeTimeout: 1_000,
    onAuth(auth, _session, callback) {
      callback(null, { user: auth.username ?? 'anonymous' });
    },
    onData(stream: SMTPServerDataStream, session: SMTPServerSession, callback: (err?: Error | null) => void) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.once('error', (err: Error) => callback(err));
      stream.once('end', () => {
        const mail = toReceivedMail(Buffer.concat(chunks).toString('utf8'), session);
        messages.push(mail);
        for (const w of [...waiters]) w(mail);
        callback(null);
      });
    },
  });
  // Connection-level errors (client resets etc.) must not crash the test process.
  server.on('error', () => undefined);

  const port = await new Promise<number>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve((server.server.address() as AddressInfo).port);
    });
  });

  let stopped: Promise<void> | undefined;

  return {
    url: `smtp://127.0.0.1:${port}`,
    port,
    messages,
    waitFor(predicate: (m: ReceivedMail) => boolean, timeoutMs = 10_000): Promise<ReceivedMail> {
      const existing = messages.find(predicate);
      if (existing) return Promise.resolve(existing);
      return new Promise<ReceivedMail>((resolve, reject) => {
        const waiter = (m: ReceivedMail): void => {
          if (!predicate(m)) return;
          clearTimeout(timer);
          waiters.delete(waiter);
          resolve(m);
        };
        const timer = setTimeout(() => {
          waiters.delete(waiter);
          reject(new Error(`no matching mail within ${timeoutMs} ms; received ${messages.length}:\n${messages.map(describe).join('\n')}`));
        }, timeoutMs);
        waiters.add(waiter);
      });
    },
    stop(): Promise<void> {
      stopped ??= new Promise<void>((resolve) => server.close(() => resolve()));
      return stopped;
    },
  };
}
