import { Arg, Ctx, FieldResolver, ID, Mutation, Query, Resolver, Root } from 'type-graphql';
import { principalOf, type Context } from '../core/auth';
import type { ContactImportService } from './contact-import.service';
import { Contact } from './contact.entity';
import { ContactInput } from './contact.inputs';
import type { ContactService } from './contact.service';
import { ImportResult } from './contact.types';
import { Membership, SubscriptionStatus } from './membership.entity';
import type { SubscriptionService } from './subscription.service';

@Resolver(() => Contact)
export class ContactResolver {
  constructor(
    private readonly contacts: ContactService,
    private readonly imports: ContactImportService,
    private readonly subscriptions: SubscriptionService,
  ) {}

  @Query(() => Contact, { nullable: true })
  contact(@Arg('id', () => ID) id: string, @Ctx() ctx: Context): Promise<Contact | null> {
    return this.contacts.getVisible(principalOf(ctx), id);
  }

  @Query(() => Contact, { nullable: true })
  contactByPhone(
    @Arg('phoneNumber') phoneNumber: string,
    @Arg('accountId', () => ID, { nullable: true }) accountId: string | null,
    @Ctx() ctx: Context,
  ): Promise<Contact | null> {
    return this.contacts.byPhone(principalOf(ctx), phoneNumber, accountId);
  }

  @Mutation(() => ImportResult)
  importContacts(
    @Arg('groupId', () => ID) groupId: string,
    @Arg('contacts', () => [ContactInput]) contacts: ContactInput[],
    @Arg('subscribe', () => Boolean, { nullable: true, defaultValue: true }) subscribe: boolean | null,
    @Ctx() ctx: Context,
    @Arg('consentText', () => String, { nullable: true, description: 'The wording the contacts agreed to (at most 2000 characters), kept in the consent ledger.' }) consentText?: string | null,
  ): Promise<ImportResult> {
    return this.imports.importContacts(principalOf(ctx), groupId, contacts, subscribe ?? true, consentText);
  }

  @Mutation(() => Membership)
  setSubscription(
    @Arg('groupId', () => ID) groupId: string,
    @Arg('phoneNumber') phoneNumber: string,
    @Arg('status', () => SubscriptionStatus) status: SubscriptionStatus,
    @Ctx() ctx: Context,
    @Arg('consentText', () => String, { nullable: true, description: 'The wording the contact agreed to (at most 2000 characters), kept in the consent ledger.' }) consentText?: string | null,
  ): Promise<Membership> {
    return this.subscriptions.setSubscription(principalOf(ctx), groupId, phoneNumber, status, consentText);
  }

  @FieldResolver(() => [Membership])
  memberships(@Root() contact: Contact, @Ctx() ctx: Context): Promise<Membership[]> {
    return ctx.loaders.membershipsOfContact.load(contact.id);
  }
}
