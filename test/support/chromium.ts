/** Debian's package (`.ci/run` installs it); playwright-core downloads no browser of its own. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless, and quiet: without the last five Debian's Chromium keeps trying to reach Google's
 * hosts through this machine's closed network (ENV.md).
 */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The message of a failed test (never a skipped one) when the browser is missing. */
export const CHROMIUM_MISSING = `${CHROMIUM} is missing: install it with \`apt-get install -y chromium\` (.ci/run does)`;
