import { badInput } from './errors';

/** Database ids are integers; GraphQL shows them as ID strings. A malformed id names nothing. */
export function parseId(raw: string | number): number | null {
  const text = String(raw);
  if (!/^[1-9]\d{0,15}$/.test(text)) return null;
  const id = Number(text);
  return Number.isSafeInteger(id) ? id : null;
}

export function requireId(field: string, raw: string | number): number {
  const id = parseId(raw);
  if (id === null) throw badInput(field, `"${raw}" is not a valid id`);
  return id;
}
