import { InitialSchema1763700000000 } from './1763700000000-InitialSchema.js';

/** Every migration in order. A new one is added here after `npm run migration:generate`. */
export const MIGRATIONS = [InitialSchema1763700000000];
