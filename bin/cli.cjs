#!/usr/bin/env node
'use strict';
/**
 * `npx authcentre` (package.json "bin"): with no command, or `serve`, it starts the server
 * through the production entry (./authcentre.cjs: sizes libuv's thread pool, then loads
 * dist/src/main.js); any other command is the admin CLI (dist/src/cli.js, built by
 * `nest build`). `npx authcentre --help` lists the commands. Exit codes: 0 ok, 1 failure
 * (one line on stderr; a stack trace only with --debug), 1 for bad usage too.
 */
const args = process.argv.slice(2);
const command = args.filter((a) => a !== '--debug' && a !== '--json')[0];

if (command === undefined || command === 'serve') {
  require('./authcentre.cjs');
} else {
  import('../dist/src/cli.js')
    .then(async (cli) => {
      const code = await cli.main(process.argv);
      process.exitCode = code;
      // Whatever a library left open (a timer, a socket) must not keep a finished command alive.
      setTimeout(() => process.exit(code), 2000).unref();
    })
    .catch((err) => {
      const missing = err && err.code === 'ERR_MODULE_NOT_FOUND';
      process.stderr.write(
        `authcentre: ${missing ? 'the CLI is not built: run `npm run build` first' : err && err.message ? err.message : err}\n`,
      );
      if (args.includes('--debug') && err && err.stack) process.stderr.write(`${err.stack}\n`);
      process.exit(1);
    });
}
