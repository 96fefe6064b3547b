import { badInput } from '../core/errors';

const PLACEHOLDER = /\{\{\s*([^{}]*?)\s*\}\}/g;
const ATTRIBUTE = /^attributes\.([A-Za-z0-9_\-.]+)$/;
const FIELDS = new Set(['first_name', 'last_name', 'phone_number']);

export interface TemplateContact {
  firstName: string | null;
  lastName: string | null;
  phoneNumber: string;
  attributes: Record<string, unknown> | null;
}

/** Refuses a template naming a placeholder the renderer does not know (field: body). */
export function validateTemplate(body: string): void {
  for (const match of body.matchAll(PLACEHOLDER)) {
    const name = match[1];
    if (!FIELDS.has(name) && !ATTRIBUTE.test(name)) {
      throw badInput('body', `unknown placeholder {{${name}}}: use {{first_name}}, {{last_name}}, {{phone_number}} or {{attributes.KEY}}`);
    }
  }
}

/** Fills the placeholders for one recipient; a missing value renders empty. */
export function renderTemplate(body: string, contact: TemplateContact): string {
  if (!body.includes('{{')) return body;
  return body.replace(PLACEHOLDER, (_whole, name: string) => {
    if (name === 'first_name') return contact.firstName ?? '';
    if (name === 'last_name') return contact.lastName ?? '';
    if (name === 'phone_number') return contact.phoneNumber;
    const key = ATTRIBUTE.exec(name)?.[1];
    const value = key === undefined ? undefined : contact.attributes?.[key];
    return value === undefined || value === null ? '' : typeof value === 'object' ? JSON.stringify(value) : String(value);
  });
}
