import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import 'reflect-metadata';
import { Column, DataSource, Entity, PrimaryGeneratedColumn } from 'typeorm';
import { createDataSource } from '../src/core/database';
import { takeTurnsOnSqlite } from '../src/core/sqlite-turns';

// TypeORM's better-sqlite3 driver shares one connection among all callers. Without turns, each
// case below lost or kept the wrong rows (checked against the bare driver: see `bare`).

@Entity('t')
class Row {
  @PrimaryGeneratedColumn()
  id!: number;

  @Column('text')
  v!: string;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const fails = (message: string) => Promise.reject(new Error(message));

interface Case {
  name: string;
  run(ds: DataSource): Promise<unknown[]>;
  answers: unknown[];
  rows: string[];
  /** What the bare driver did with the same work: the reason for the turns. */
  bare: { rows: string[] };
}

const insert = (ds: DataSource | { query: DataSource['query'] }, v: string) => ds.query('INSERT INTO t (v) VALUES (?)', [v]);
const outcome = (p: Promise<unknown>) => p.then((v) => v ?? 'ok', (e: Error) => `failed: ${e.message}`);

const cases: Case[] = [
  {
    name: 'two transactions begun at once, the first failing: only the second is kept',
    run: (ds) => Promise.all([
      outcome(ds.transaction(async (m) => { await insert(m, 'a1'); await pause(20); await insert(m, 'a2'); return fails('a'); })),
      outcome(ds.transaction(async (m) => { await insert(m, 'b1'); await pause(40); })),
    ]),
    answers: ['failed: a', 'ok'],
    rows: ['b1'],
    bare: { rows: ['a2'] },
  },
  {
    name: 'a transaction begun while another is open, the open one failing: the later one is kept',
    run: async (ds) => {
      const first = outcome(ds.transaction(async (m) => { await insert(m, 'c1'); await pause(20); return fails('c'); }));
      await pause(5);
      const second = outcome(ds.transaction(async (m) => { await insert(m, 'd1'); await pause(40); }));
      return Promise.all([first, second]);
    },
    answers: ['failed: c', 'ok'],
    rows: ['d1'],
    bare: { rows: ['c1'] },
  },
  {
    name: 'a plain write while a transaction is open that then fails: the plain write is kept',
    run: async (ds) => {
      const tx = outcome(ds.transaction(async (m) => { await insert(m, 'e1'); await pause(20); return fails('e'); }));
      await pause(5);
      return Promise.all([tx, outcome(insert(ds, 'f1'))]);
    },
    answers: ['failed: e', expect.anything()],
    rows: ['f1'],
    bare: { rows: [] },
  },
  {
    name: 'a nested transaction is a savepoint of its own: its failure undoes only its part',
    run: (ds) => Promise.all([outcome(ds.transaction(async (m) => {
      await insert(m, 'g1');
      await outcome(ds.transaction(async (n) => { await insert(n, 'g2'); return fails('inner'); }));
      await insert(m, 'g3');
    }))]),
    answers: ['ok'],
    rows: ['g1', 'g3'],
    bare: { rows: ['g1', 'g3'] },
  },
  {
    name: 'a transaction that waits for a read another caller began does not wait for ever',
    run: async (ds) => {
      let read!: Promise<unknown>;
      const tx = outcome(ds.transaction(async (m) => {
        await insert(m, 'h1');
        await pause(10);
        await read;
        await insert(m, 'h2');
      }));
      await pause(2);
      read = ds.query('SELECT COUNT(*) AS n FROM t');
      return Promise.all([tx]);
    },
    answers: ['ok'],
    rows: ['h1', 'h2'],
    bare: { rows: ['h1', 'h2'] },
  },
];

describe('SQLite takes turns', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-turns-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const open = async (name: string, turns: boolean) => {
    const ds = createDataSource({ type: 'sqlite', path: join(dir, `${name}.db`) }, [Row], []);
    await ds.initialize();
    await ds.query('CREATE TABLE t (id INTEGER PRIMARY KEY, v TEXT NOT NULL)');
    if (turns) takeTurnsOnSqlite(ds);
    return ds;
  };
  const rowsOf = async (ds: DataSource): Promise<string[]> => (await ds.query('SELECT v FROM t ORDER BY id')).map((r: { v: string }) => r.v);

  it.each(cases.map((c, i) => ({ ...c, i })))('$name', async ({ run, answers, rows, bare, i }) => {
    const ds = await open(`turns-${i}`, true);
    try {
      expect(await run(ds)).toEqual(answers);
      expect(await rowsOf(ds)).toEqual(rows);
    } finally {
      await ds.destroy();
    }
    // The same work on the bare driver, so that the case shows what it guards against.
    const plain = await open(`bare-${i}`, false);
    try {
      await run(plain).catch(() => undefined);
      await pause(60);
      expect(await rowsOf(plain)).toEqual(bare.rows);
    } finally {
      await plain.destroy();
    }
  });

  // save() and remove() begin a transaction of their own, on the shared connection, whenever
  // none is open. Out of turn, one begun as another's transaction was ending answered
  // TransactionNotStartedError and left the connection inside a transaction that never ended:
  // nothing written after it reached the file.
  it('a save() begun while another transaction is ending, at every step of its end: each committed, none left open', async () => {
    const path = join(dir, 'save-window.db');
    const ds = await open('save-window', true);
    const runner = ds.createQueryRunner();
    const answers: unknown[] = [];
    for (let step = 0; step < 40; step++) {
      let ended = false;
      const first = ds.transaction(async (m) => { await insert(m, `first${step}`); }).finally(() => { ended = true; });
      // Steps through the microtasks from the first one's COMMIT to its end; at `step`, another
      // transaction is asked for and then a save(), outside any transaction.
      let seen = false;
      let waited = 0;
      let late: Array<Promise<unknown>> = [];
      while (!ended) {
        await Promise.resolve();
        if (runner.isTransactionActive) seen = true;
        else if (seen && waited++ === step) {
          late = [outcome(ds.transaction(async (m) => { await insert(m, `then${step}`); })), outcome(ds.manager.save(Row, { v: `save${step}` }).then(() => 'ok'))];
          break;
        }
      }
      await first;
      answers.push(...(await Promise.all(late)));
    }
    expect(answers.filter((a) => a !== 'ok')).toEqual([]);
    // The window is some microtasks wide: the steps inside it are the ones that count.
    expect(answers.length).toBeGreaterThanOrEqual(2 * 5);
    expect((ds.driver as unknown as { databaseConnection: { inTransaction: boolean } }).databaseConnection.inTransaction).toBe(false);
    await ds.destroy();
    const again = createDataSource({ type: 'sqlite', path }, [Row], []);
    await again.initialize();
    try {
      const rows = await rowsOf(again);
      expect(rows.filter((v) => v.startsWith('save')).length).toBe(answers.length / 2);
      expect(rows.filter((v) => v.startsWith('then')).length).toBe(answers.length / 2);
    } finally {
      await again.destroy();
    }
  });
});
