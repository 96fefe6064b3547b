import { decode, type IdType } from '../../src/core/ids';

/**
 * The database key behind an id the API showed, for tests that look at rows directly. Decodes
 * with the secret of the server last started in this test file's process.
 */
export function rawId(id: string): number {
  const key = decode(id.slice(0, 3) as IdType, id);
  if (key === null) throw new Error(`"${id}" is not an id this server made`);
  return key;
}
