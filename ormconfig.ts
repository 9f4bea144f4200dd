/**
 * The TypeORM DataSource for the CLI (`npm run migration:generate|run|revert`): the same
 * options the app uses, built from the same validated environment.
 */
import 'dotenv/config';
import { loadConfig } from './src/config/app.config.js';
import { createDataSource } from './src/database/data-source.js';

export default createDataSource(loadConfig(process.env));
