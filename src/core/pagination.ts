import { Brackets, type ObjectLiteral, type SelectQueryBuilder } from 'typeorm';
import { PageInfo, type Page } from './connection';
import { badInput } from './errors';

export const MAX_PAGE_SIZE = 500;

/** Validates `first`: 0 to 500. */
export function pageSize(first: number | null | undefined, fallback = 50): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) throw badInput('first', `must be a whole number from 0 to ${MAX_PAGE_SIZE}`);
  return size;
}

/** One column of a sort order: a row id (a positive integer) or a date-time. */
export interface SortKey<T> {
  /** As the query builder names it, e.g. `c.lastMessageAt`. */
  column: string;
  kind: 'id' | 'time';
  of(row: T): number | Date | null;
}

/**
 * A list's order. Its last key must be unique (the row's id), so that no two rows tie and a
 * cursor marks one place; every key runs in the one direction.
 */
export interface Keyset<T> {
  keys: ReadonlyArray<SortKey<T>>;
  direction: 'ASC' | 'DESC';
}

export function idKey<T extends { id: number }>(alias: string): SortKey<T> {
  return { column: `${alias}.id`, kind: 'id', of: (row) => row.id };
}

/** The common order: by id alone. */
export function byId<T extends { id: number }>(alias: string, direction: Keyset<T>['direction']): Keyset<T> {
  return { keys: [idKey<T>(alias)], direction };
}

export interface PageArgs {
  first?: number | null;
  after?: string | null;
}

/**
 * Keyset pagination, the one way every list pages: `first` rows of `query` after the cursor
 * `after`, in the keyset's order, with the total the query matches. A position in the sort key
 * (not an offset) keeps pages stable while rows are added or move up, as a conversation does
 * with each reply: nothing is repeated or skipped. The query is changed.
 */
export async function keysetPage<T extends ObjectLiteral>(query: SelectQueryBuilder<T>, keyset: Keyset<T>, args: PageArgs): Promise<Page<T>> {
  const first = pageSize(args.first);
  const cursor = decodeCursor(args.after, keyset);
  const counted = query.clone();
  if (cursor) query.andWhere(after(keyset, cursor));
  keyset.keys.forEach((key, i) => (i === 0 ? query.orderBy(key.column, keyset.direction) : query.addOrderBy(key.column, keyset.direction)));
  const [rows, totalCount] = await Promise.all([query.take(first + 1).getMany(), counted.getCount()]);
  return toPage(rows, first, keyset, totalCount);
}

/** Cursors are opaque to clients: the sort key of a row as base64url JSON, dates as ISO strings. */
export function encodeCursor<T>(keyset: Keyset<T>, row: T): string {
  const key = keyset.keys.map((k) => {
    const value = k.of(row);
    return value instanceof Date ? value.toISOString() : value;
  });
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

/** The sort key a cursor holds; anything but a cursor of this keyset is refused, so no stray value reaches SQL. */
export function decodeCursor<T>(cursor: string | null | undefined, keyset: Keyset<T>): Array<number | Date> | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    raw = null;
  }
  const values = Array.isArray(raw) && raw.length === keyset.keys.length ? keyset.keys.map((key, i) => readKey(key.kind, raw[i])) : null;
  if (!values || values.some((v) => v === null)) throw badInput('after', 'is not a cursor this server issued');
  return values as Array<number | Date>;
}

function readKey(kind: SortKey<unknown>['kind'], value: unknown): number | Date | null {
  if (kind === 'id') return typeof value === 'number' && Number.isSafeInteger(value) && value > 0 ? value : null;
  if (typeof value !== 'string') return null;
  const time = new Date(value);
  // Only the exact form encodeCursor writes: no other string a date parser happens to accept.
  return !Number.isNaN(time.getTime()) && time.toISOString() === value ? time : null;
}

/** Rows after the cursor's: (k1 > v1) OR (k1 = v1 AND k2 > v2) OR ..., with < when descending. */
function after<T>(keyset: Keyset<T>, cursor: Array<number | Date>): Brackets {
  const op = keyset.direction === 'DESC' ? '<' : '>';
  const param = (i: number) => `keyset${i}`;
  return new Brackets((outer) => {
    keyset.keys.forEach((key, i) => {
      const parameters = Object.fromEntries(cursor.slice(0, i + 1).map((value, j) => [param(j), value]));
      const ties = keyset.keys.slice(0, i).map((k, j) => `${k.column} = :${param(j)}`);
      outer.orWhere([...ties, `${key.column} ${op} :${param(i)}`].join(' AND '), parameters);
    });
  });
}

/** Trims the extra row fetched to learn whether more follow, and gives each node its cursor. */
export function toPage<T>(rows: T[], first: number, keyset: Keyset<T>, totalCount: number): Page<T> {
  const hasNextPage = rows.length > first;
  const nodes = hasNextPage ? rows.slice(0, first) : rows;
  const edges = nodes.map((node) => ({ cursor: encodeCursor(keyset, node), node }));
  const pageInfo = new PageInfo();
  pageInfo.hasNextPage = hasNextPage;
  pageInfo.endCursor = edges.length ? edges[edges.length - 1].cursor : null;
  return { nodes, edges, pageInfo, totalCount };
}
