import 'reflect-metadata';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { printSchema } from 'graphql';
import { loadConfig } from './config';
import { createDataSource } from './core/database';
import { createLogger } from './core/logger';
import { Metrics } from './core/metrics';
import { createEventBus } from './core/pubsub';
import { entities } from './entities';
import { buildGraphQLSchema } from './schema';
import { createServices } from './services';
import { migrations } from '../migrations';

/** The schema as the code declares it; no database is opened to print it. */
export async function emittedSchema(): Promise<string> {
  const config = loadConfig({ DATABASE_URL: 'sqlite::memory:', CARRIER_SIMULATOR: 'on' });
  const dataSource = createDataSource(config.database, entities, migrations);
  const services = createServices(dataSource, config, createEventBus(), createLogger('error'), new Metrics(false));
  return printSchema(await buildGraphQLSchema(services)) + '\n';
}

if (require.main === module) {
  emittedSchema().then((sdl) => {
    const target = join(__dirname, '..', '..', 'schema.graphql');
    writeFileSync(target, sdl);
    process.stdout.write(`wrote ${target}\n`);
  });
}
