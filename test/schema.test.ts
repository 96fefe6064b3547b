import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildSchema, findBreakingChanges, printSchema } from 'graphql';
import { emittedSchema } from '../src/emit-schema';
import { describeEachDatabase } from './helpers/app';

const committed = readFileSync(join(__dirname, '..', 'schema.graphql'), 'utf8');
const contractPath = join(__dirname, '..', '..', 'shared', 'contract', 'schema.graphql');

describe('schema.graphql', () => {
  it('is the schema the code declares (run `npm run schema:emit` after changing it)', async () => {
    expect(await emittedSchema()).toBe(committed);
  });

  it('keeps the whole public contract: nothing in it missing or stricter', () => {
    const contract = buildSchema(readFileSync(contractPath, 'utf8'));
    const served = buildSchema(committed);
    expect(findBreakingChanges(contract, served).map((c) => `${c.type}: ${c.description}`)).toEqual([]);
  });
});

describeEachDatabase('served schema', (app) => {
  it('is the committed schema.graphql', () => {
    expect(printSchema(app().server.schema) + '\n').toBe(committed);
  });
});
