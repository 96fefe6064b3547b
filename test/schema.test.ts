import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { printSchema } from 'graphql';
import { emittedSchema } from '../src/emit-schema';
import { describeEachDatabase } from './helpers/app';

const committed = readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8');

describe('schema.graphql', () => {
  it('is the schema the code declares (run `npm run schema:emit` after changing it)', async () => {
    expect(await emittedSchema()).toBe(committed);
  });
});

describeEachDatabase('served schema', (app) => {
  it('is the committed schema.graphql', () => {
    expect(printSchema(app().server.schema) + '\n').toBe(committed);
  });
});
