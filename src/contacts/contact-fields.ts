import { badInput } from '../core/errors';

/** What a name column holds. */
export const MAX_NAME = 200;
/** The attributes column is TEXT: 65,535 bytes on MySQL, so 16,000 characters of utf8mb4 always fit. */
export const MAX_ATTRIBUTES = 16_000;
export const MAX_ATTRIBUTE_DEPTH = 10;

export interface ContactFieldValues {
  firstName?: string | null;
  lastName?: string | null;
  attributes?: Record<string, unknown> | null;
}

/**
 * A contact's names and attributes, as the caller will store them, within what the columns hold,
 * whichever way they come in (an import row, a one-off send): `at` names the input (`contacts[3]`).
 */
export function checkContactFields(fields: ContactFieldValues, at: string, extra: Record<string, unknown> = {}): void {
  for (const field of ['firstName', 'lastName'] as const) {
    const value = fields[field];
    if (value && value.length > MAX_NAME) throw badInput(`${at}.${field}`, `must be at most ${MAX_NAME} characters`, extra);
  }
  checkAttributes(fields.attributes, `${at}.attributes`, extra);
}

/** A JSON object kept as attributes (or filling a template as they do): at most 10 levels deep and 16,000 characters. */
export function checkAttributes(value: Record<string, unknown> | null | undefined, field: string, extra: Record<string, unknown> = {}): void {
  if (!value) return;
  // Depth first, without recursion: a deep enough value overflows the stack of JSON.stringify itself.
  if (nestingOf(value, MAX_ATTRIBUTE_DEPTH) > MAX_ATTRIBUTE_DEPTH) throw badInput(field, `must be nested at most ${MAX_ATTRIBUTE_DEPTH} levels deep`, extra);
  if (JSON.stringify(value).length > MAX_ATTRIBUTES) throw badInput(field, `must be at most ${MAX_ATTRIBUTES} characters as JSON`, extra);
}

/** How deep objects and arrays nest in value, counted up to just past max. */
function nestingOf(value: unknown, max: number): number {
  let deepest = 0;
  const pending: Array<[unknown, number]> = [[value, 1]];
  while (pending.length) {
    const [item, depth] = pending.pop()!;
    if (item === null || typeof item !== 'object') continue;
    deepest = Math.max(deepest, depth);
    if (depth > max) return depth;
    for (const child of Object.values(item)) pending.push([child, depth + 1]);
  }
  return deepest;
}
