import { decodeCursor, encodeCursor, pageSize, toPage } from '../src/core/pagination';

describe('cursors', () => {
  it.each([
    [[42]],
    [['2025-03-01T10:00:00.000Z', 7]],
    [[null, 3]],
    [['ünïcödé ✓', -1, 7]],
  ])('decode what they encode: %j', (key) => {
    const cursor = encodeCursor(key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor, key.length)).toEqual(key);
  });

  it.each([null, undefined, ''])('read %p as the first page', (cursor) => {
    expect(decodeCursor(cursor, 1)).toBeNull();
  });

  it.each([
    ['not base64 JSON', 'nonsense'],
    ['a key of another length', encodeCursor([1, 2])],
    ['a JSON object', Buffer.from('{"id":1}').toString('base64url')],
    ['a JSON number', Buffer.from('1').toString('base64url')],
    ['a nested value', Buffer.from('[[1]]').toString('base64url')],
    ['a boolean', Buffer.from('[true]').toString('base64url')],
    ['a truncated cursor', encodeCursor([12345]).slice(0, -2)],
    ['JSON null', Buffer.from('null').toString('base64url')],
    ['a key whose id is not a number', encodeCursor(['x'])],
    ['a key whose id is not a row id', encodeCursor([0])],
  ])('refuse %s as bad input on after, never as a NaN key', (_name, cursor) => {
    let thrown: any;
    try {
      const key = decodeCursor(cursor, 1);
      thrown = new Error(`accepted as ${JSON.stringify(key)}`);
    } catch (error) {
      thrown = error;
    }
    expect({ message: thrown.message, code: thrown.code }).toEqual({ message: expect.stringMatching(/^after: /), code: 'BAD_USER_INPUT' });
  });

  it('pages: trims the extra row, says whether more follow, and ends at the last row kept', () => {
    const rows = [{ id: 5 }, { id: 4 }, { id: 3 }];
    const page = toPage(rows, 2, (r) => [r.id]);
    expect(page.nodes).toEqual([{ id: 5 }, { id: 4 }]);
    expect(page.pageInfo.hasNextPage).toBe(true);
    expect(decodeCursor(page.pageInfo.endCursor, 1)).toEqual([4]);
    const last = toPage(rows.slice(2), 2, (r) => [r.id]);
    expect({ nodes: last.nodes, hasNextPage: last.pageInfo.hasNextPage }).toEqual({ nodes: [{ id: 3 }], hasNextPage: false });
    expect(toPage([], 2, (r: { id: number }) => [r.id]).pageInfo).toEqual(expect.objectContaining({ hasNextPage: false, endCursor: null }));
  });

  it.each([[undefined, 50], [null, 50], [0, 0], [500, 500]])('takes first = %p as a page of %p', (first, size) => {
    expect(pageSize(first)).toBe(size);
  });

  it.each([-1, 501, 2.5, NaN])('refuses first = %p', (first) => {
    expect(() => pageSize(first)).toThrow(/^first: /);
  });
});
