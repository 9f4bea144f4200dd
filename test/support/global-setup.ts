import { existsSync } from 'node:fs';

/** The e2e suite spawns the built server for some tests: `npm test` builds first. */
export default function setup(): void {
  if (!existsSync('dist/src/main.js')) {
    throw new Error('dist/src/main.js is missing: run the suite with `npm test` (it builds first) or `npm run build`.');
  }
}
