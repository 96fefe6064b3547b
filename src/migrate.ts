import 'reflect-metadata';
import { ConfigError, loadConfig } from './config';
import { openDatabase } from './server';

// `npm run migrate`: brings the database to the current schema and stops.
openDatabase(loadConfig())
  .then(async (dataSource) => {
    process.stdout.write(`migrations applied on ${dataSource.options.type}\n`);
    await dataSource.destroy();
  })
  .catch((error) => {
    process.stderr.write(`switchboard: ${error instanceof ConfigError ? 'configuration error: ' : ''}${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
