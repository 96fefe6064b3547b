import { Field, ObjectType } from 'type-graphql';
import { badInput } from './errors';
import type { Edge } from './relay-edges';

@ObjectType()
export class PageInfo {
  @Field()
  hasNextPage: boolean;

  @Field(() => String, { nullable: true })
  endCursor: string | null;
}

export const MAX_PAGE_SIZE = 500;

/** Validates `first`: 0 to 500. */
export function pageSize(first: number | null | undefined, fallback = 50): number {
  const size = first ?? fallback;
  if (!Number.isInteger(size) || size < 0 || size > MAX_PAGE_SIZE) throw badInput('first', `must be a whole number from 0 to ${MAX_PAGE_SIZE}`);
  return size;
}

/**
 * Cursors are opaque to clients: the sort key of the last row, ending with its id (e.g. [lastMessageAt, id]),
 * as base64url JSON. Keyset pagination keeps pages stable while rows are added.
 */
export function encodeCursor(key: Array<string | number | null>): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined, length: number): Array<string | number | null> | null {
  if (cursor === null || cursor === undefined || cursor === '') return null;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    // Every key ends with the row's id, the tie-breaker: an integer, or the cursor was not ours.
    if (Array.isArray(key) && key.length === length && key.every((v) => v === null || typeof v === 'string' || typeof v === 'number') && isRowId(key[length - 1])) return key;
  } catch {
    // falls through to the error below
  }
  throw badInput('after', 'is not a cursor this server issued');
}

function isRowId(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value > 0;
}

/** Fetch first + 1 rows, then call this: it trims the extra row and fills pageInfo and the Relay edges. */
export function toPage<T>(rows: T[], first: number, keyOf: (row: T) => Array<string | number | null>): { nodes: T[]; edges: Array<Edge<T>>; pageInfo: PageInfo } {
  const hasNextPage = rows.length > first;
  const nodes = hasNextPage ? rows.slice(0, first) : rows;
  const edges = nodes.map((node) => ({ cursor: encodeCursor(keyOf(node)), node }));
  const pageInfo = new PageInfo();
  pageInfo.hasNextPage = hasNextPage;
  pageInfo.endCursor = edges.length ? edges[edges.length - 1].cursor : null;
  return { nodes, edges, pageInfo };
}
