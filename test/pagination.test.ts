import 'reflect-metadata';
import { Column, Entity, PrimaryGeneratedColumn, type DataSource } from 'typeorm';
import { loadConfig } from '../src/config';
import { createDataSource } from '../src/core/database';
import type { Page } from '../src/core/connection';
import { byId, decodeCursor, encodeCursor, idKey, keysetPage, pageSize, toPage, type Keyset } from '../src/core/pagination';
import { databaseKinds, freshDatabase, type FreshDatabase } from './helpers/databases';
import { queriesDuring } from './helpers/query-count';

@Entity('pagination_rows')
class Row {
  @PrimaryGeneratedColumn()
  id: number;

  @Column({ type: 'datetime', precision: 3 })
  at: Date;

  @Column({ type: 'varchar', length: 20 })
  tag: string;
}

const NEWEST_FIRST: Keyset<Row> = { keys: [{ column: 'r.at', kind: 'time', of: (r) => r.at }, idKey('r')], direction: 'DESC' };

const cursorOf = (key: unknown) => Buffer.from(JSON.stringify(key)).toString('base64url');

type Keyed = { id: number; at?: Date };
const BY_ID: Keyset<Keyed> = { keys: [idKey<Keyed>('r')], direction: 'DESC' };
const BY_TIME: Keyset<Keyed> = { keys: [{ column: 'r.at', kind: 'time', of: (r) => r.at ?? null }, idKey<Keyed>('r')], direction: 'DESC' };

/** The error decodeCursor throws, or one saying what it accepted. */
function refusalOf(cursor: string, keyset: Keyset<Keyed>): any {
  try {
    return new Error(`accepted as ${JSON.stringify(decodeCursor(cursor, keyset))}`);
  } catch (error) {
    return error;
  }
}

describe('cursors', () => {
  it.each([
    [BY_ID, { id: 42 }, [42]],
    [BY_TIME, { id: 7, at: new Date('2025-03-01T10:00:00.000Z') }, [new Date('2025-03-01T10:00:00.000Z'), 7]],
  ])('decode what they encode: %#', (keyset, row, key) => {
    const cursor = encodeCursor(keyset, row);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, keyset)).toEqual(key);
  });

  it.each([null, undefined, ''])('read %p as the first page', (cursor) => {
    expect(decodeCursor(cursor, BY_ID)).toBeNull();
  });

  it.each([
    ['not base64 JSON', 'nonsense', BY_ID],
    ['a key of another length', cursorOf([1, 2]), BY_ID],
    ['a JSON object', Buffer.from('{"id":1}').toString('base64url'), BY_ID],
    ['a JSON number', Buffer.from('1').toString('base64url'), BY_ID],
    ['a nested value', Buffer.from('[[1]]').toString('base64url'), BY_ID],
    ['a boolean', Buffer.from('[true]').toString('base64url'), BY_ID],
    ['a truncated cursor', encodeCursor(BY_ID, { id: 12345 }).slice(0, -2), BY_ID],
    ['JSON null', Buffer.from('null').toString('base64url'), BY_ID],
    // Keys a list of this server never writes: no time is null, no id negative or zero.
    ['a null time', cursorOf([null, 3]), BY_TIME],
    ['text, a negative id and a zero', cursorOf(['ünïcödé ✓', -1, 0]), BY_TIME],
  ])('refuse %s as bad input on after, never as a NaN key', (_name, cursor, keyset) => {
    const thrown = refusalOf(cursor, keyset);
    expect({ message: thrown.message, code: thrown.code }).toEqual({ message: expect.stringMatching(/^after: /), code: 'BAD_USER_INPUT' });
  });

  it('pages: trims the extra row, says whether more follow, and ends at the last row kept', () => {
    const rows = [{ id: 5 }, { id: 4 }, { id: 3 }];
    const page = toPage(rows, 2, BY_ID, 3);
    expect(page.nodes).toEqual([{ id: 5 }, { id: 4 }]);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(decodeCursor(page.pageInfo.endCursor, BY_ID)).toEqual([4]);
    const last = toPage(rows.slice(2), 2, BY_ID, 3);
    expect({ nodes: last.nodes, hasNextPage: last.pageInfo.hasNextPage }).toEqual({ nodes: [{ id: 3 }], hasNextPage: false });
    expect(toPage([], 2, BY_ID, 0).pageInfo).toEqual(expect.objectContaining({ hasNextPage: false, endCursor: null }));
  });

  it.each([[undefined, 50], [null, 50], [0, 0], [500, 500]])('takes first = %p as a page of %p', (first, size) => {
    expect(pageSize(first)).toBe(size);
  });

  it.each([-1, 501, 2.5, NaN])('refuses first = %p', (first) => {
    expect(() => pageSize(first)).toThrow(/^first: /);
  });
});

describe.each(databaseKinds())('keysetPage on %s', (kind) => {
  let database: FreshDatabase;
  let dataSource: DataSource;
  const rows = () => dataSource.getRepository(Row).createQueryBuilder('r');
  const query = () => rows().where('r.tag = :tag', { tag: 'list' });

  /** Every row of the list, page after page, following each page's endCursor. */
  async function walk(keyset: Keyset<Row>, first: number): Promise<number[]> {
    const seen: number[] = [];
    let after: string | null = null;
    for (let guard = 0; guard < 100; guard++) {
      const page: Page<Row> = await keysetPage(query(), keyset, { first, after });
      seen.push(...page.nodes.map((r) => r.id));
      if (!page.pageInfo.hasNextPage) return seen;
      after = page.pageInfo.endCursor;
    }
    throw new Error('the pages never ended');
  }

  beforeAll(async () => {
    database = await freshDatabase(kind);
    dataSource = createDataSource(loadConfig({ DATABASE_URL: database.url, CARRIER_SIMULATOR: 'on' }).database, [Row], []);
    await dataSource.initialize();
    await dataSource.synchronize();
    const base = Date.UTC(2025, 0, 1);
    // Ten rows in the list over four instants, so that most rows tie with others on `at`, and two rows outside it.
    const offsets = [0, 3, 1, 3, 0, 2, 3, 1, 0, 3];
    await dataSource.getRepository(Row).insert(offsets.map((o) => ({ at: new Date(base + o * 1000), tag: 'list' })));
    await dataSource.getRepository(Row).insert([{ at: new Date(base), tag: 'other' }, { at: new Date(base + 5000), tag: 'other' }]);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  it('walks a list with ties on the first sort key in (at, id) order, each row once, whatever the page size', async () => {
    const all = await query().getMany();
    const expected = all.sort((a, b) => b.at.getTime() - a.at.getTime() || b.id - a.id).map((r) => r.id);
    expect(expected).toHaveLength(10);
    for (const first of [1, 2, 3, 4, 10, 11]) expect(await walk(NEWEST_FIRST, first)).toEqual(expected);
  });

  it('walks by id in either direction', async () => {
    const ids = (await query().getMany()).map((r) => r.id).sort((a, b) => a - b);
    expect(await walk(byId('r', 'ASC'), 3)).toEqual(ids);
    expect(await walk(byId('r', 'DESC'), 3)).toEqual([...ids].reverse());
  });

  it('gives each node a cursor that continues with the node after it, and counts the whole list', async () => {
    const page = await keysetPage(query(), NEWEST_FIRST, { first: 4 });
    expect(page.totalCount).toBe(10);
    expect(page.edges.map((e) => e.node)).toEqual(page.nodes);
    expect(page.pageInfo).toEqual({ hasNextPage: true, endCursor: page.edges[3].cursor });
    const whole = await keysetPage(query(), NEWEST_FIRST, { first: 10 });
    for (let i = 0; i < 3; i++) {
      const next = await keysetPage(query(), NEWEST_FIRST, { first: 1, after: page.edges[i].cursor });
      expect(next.nodes[0].id).toBe(whole.nodes[i + 1].id);
      expect(next.totalCount).toBe(10);
    }
    expect(await keysetPage(query(), NEWEST_FIRST, { first: 10, after: whole.pageInfo.endCursor })).toMatchObject({ nodes: [], edges: [], pageInfo: { hasNextPage: false, endCursor: null } });
  });

  it('neither repeats nor skips a row when newer rows arrive between pages', async () => {
    const before = await walk(NEWEST_FIRST, 100);
    const first = await keysetPage(query(), NEWEST_FIRST, { first: 3 });
    await dataSource.getRepository(Row).insert({ at: new Date(Date.UTC(2030, 0, 1)), tag: 'list' });
    const rest = await keysetPage(query(), NEWEST_FIRST, { first: 100, after: first.pageInfo.endCursor });
    expect([...first.nodes, ...rest.nodes].map((r) => r.id)).toEqual(before);
    await dataSource.getRepository(Row).delete({ at: new Date(Date.UTC(2030, 0, 1)) });
  });

  const forged: Array<[string, string]> = [
    ['not base64url JSON', 'not-a-cursor'],
    ['JSON that is not a list', cursorOf({ id: 1 })],
    ['too few keys', cursorOf([3])],
    ['too many keys', cursorOf(['2025-01-01T00:00:00.000Z', 3, 4])],
    ['a time that is no date', cursorOf(['yesterday', 3])],
    ['a date not written as this server writes it', cursorOf(['2025-01-01', 3])],
    ['a number for the time', cursorOf([1735689600000, 3])],
    ['an id as a string', cursorOf(['2025-01-01T00:00:00.000Z', '3'])],
    ['a fractional id', cursorOf(['2025-01-01T00:00:00.000Z', 1.5])],
    ['a negative id', cursorOf(['2025-01-01T00:00:00.000Z', -3])],
    ['an id past the safe integers', cursorOf(['2025-01-01T00:00:00.000Z', 2 ** 60])],
    ['a null id', cursorOf(['2025-01-01T00:00:00.000Z', null])],
    ['an SQL fragment', cursorOf(["2025-01-01T00:00:00.000Z' OR 1=1 --", 3])],
  ];

  it.each(forged)('refuses a cursor with %s as BAD_USER_INPUT on `after`, before any SQL runs', async (_name, after) => {
    const { sql } = await queriesDuring(dataSource, () => expect(keysetPage(query(), NEWEST_FIRST, { first: 2, after })).rejects.toMatchObject({
      message: 'after: is not a cursor this server issued',
      code: 'BAD_USER_INPUT',
      field: 'after',
    }));
    expect(sql).toEqual([]);
  });

  it('refuses a `first` outside 0 to 500 as BAD_USER_INPUT on `first`', async () => {
    for (const first of [-1, 501, 2.5]) {
      await expect(keysetPage(query(), NEWEST_FIRST, { first })).rejects.toMatchObject({ code: 'BAD_USER_INPUT', field: 'first' });
    }
    expect(await keysetPage(query(), NEWEST_FIRST, { first: 0 })).toMatchObject({ nodes: [], pageInfo: { hasNextPage: true, endCursor: null }, totalCount: 10 });
  });
});
