import type { Context } from '../core/auth';
import { alignById } from '../core/loaders';
import type { Contact } from './contact.entity';
import type { ContactService } from './contact.service';

/** A contact by id, batched per request so a page of members or conversations costs one query. */
export function loadContact(ctx: Context, contacts: ContactService, id: number): Promise<Contact | null> {
  if (!ctx.loaders) return contacts.findById(id);
  return ctx.loaders.get<number, Contact | null>('contact', async (ids) => alignById(ids, await contacts.findByIds(ids))).load(id);
}
