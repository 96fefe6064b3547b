#!/usr/bin/env node
// Each domain owns its tables (STYLE.md, issue 9): only the domain's `*.repository.ts` files touch
// the database, and a repository touches only the tables its own domain declares. This reads the
// source, because no import rule can see a table name inside an SQL string.
import fs from 'node:fs';
import path from 'node:path';

// Infrastructure that talks to the database without owning a domain's table.
const EXEMPT = new Set(['src/core/database.ts', 'src/core/sqlite-turns.ts', 'src/core/sql.ts', 'src/core/outage.ts', 'src/migrate.ts', 'src/entities.ts']);

const ACCESS = [
  /\bgetRepository\s*\(/,
  /\.query\s*\(/,
  /\bcreateQueryBuilder\s*\(/,
  /\.manager\b/,
  /\bmanager\s*\.\s*(find\w*|insert|update|save|delete|remove|increment|decrement|upsert|count\w*|exist\w*|query|getRepository|createQueryBuilder|softDelete|clear)\b/,
];

export function listSources(root) {
  const out = [];
  (function walk(dir) {
    for (const name of fs.readdirSync(dir)) {
      const p = path.join(dir, name);
      if (fs.statSync(p).isDirectory()) walk(p);
      else if (p.endsWith('.ts')) out.push({ file: p.split(path.sep).join('/'), text: fs.readFileSync(p, 'utf8') });
    }
  })(root);
  return out;
}

const domainOf = (file) => file.split('/')[1];
const stripComments = (text) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:])\/\/.*$/gm, '$1');

/** Entity classes and table names declared by each domain's `*.entity.ts` files. */
export function ownership(sources) {
  const entities = new Map();
  const tables = new Map();
  for (const { file, text } of sources) {
    if (!file.endsWith('.entity.ts')) continue;
    for (const m of text.matchAll(/@Entity\(\s*(?:['"]([a-z0-9_]+)['"])?[^)]*\)\s*(?:@[\s\S]*?\n\s*)*export class (\w+)/g)) {
      entities.set(m[2], domainOf(file));
      if (m[1]) tables.set(m[1], domainOf(file));
    }
  }
  return { entities, tables };
}

/** Every breach of the rule, as "file:line what". */
export function check(sources) {
  const { entities, tables } = ownership(sources);
  const problems = [];
  for (const { file, text } of sources) {
    if (EXEMPT.has(file) || !file.startsWith('src/') || file.startsWith('src/migrations/')) continue;
    const domain = domainOf(file);
    const lines = stripComments(text).split('\n');
    const isRepository = file.endsWith('.repository.ts');
    lines.forEach((line, i) => {
      const where = `${file}:${i + 1}`;
      if (!isRepository) {
        if (ACCESS.some((re) => re.test(line))) problems.push(`${where} touches the database outside a repository: ${line.trim()}`);
        return;
      }
      for (const m of line.matchAll(/(?:getRepository|Repository<|createQueryBuilder|manager\s*\.\s*\w+)\s*\(?\s*(\w+)/g)) {
        const owner = entities.get(m[1]);
        if (owner && owner !== domain) problems.push(`${where} uses ${m[1]}, a table of ${owner}`);
      }
      for (const m of line.matchAll(/\b(?:FROM|JOIN|INTO|UPDATE|TABLE)\s+[`"]?([a-z0-9_]+)/gi)) {
        const owner = tables.get(m[1]);
        if (owner && owner !== domain) problems.push(`${where} names ${m[1]}, a table of ${owner}`);
      }
    });
  }
  return problems;
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const problems = check(listSources('src'));
  for (const p of problems) console.error(p);
  if (problems.length) {
    console.error(`\n${problems.length} breach(es) of table ownership: move the access into the owning domain's *.repository.ts`);
    process.exit(1);
  }
  console.log('table ownership: every table is touched only by its own domain\'s repositories');
}
