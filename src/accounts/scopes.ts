import { defaultFieldResolver, type GraphQLFieldResolver, type GraphQLSchema } from 'graphql';
import { registerEnumType } from 'type-graphql';
import type { Context } from '../core/auth';
import { badInput, forbidden } from '../core/errors';

/** What an API key may do. A key without stored scopes (every key made before scopes) may do everything. */
export enum ApiKeyScope {
  READ = 'READ',
  SEND = 'SEND',
  CAMPAIGNS = 'CAMPAIGNS',
  ADMIN = 'ADMIN',
}

registerEnumType(ApiKeyScope, {
  name: 'ApiKeyScope',
  valuesConfig: {
    READ: { description: 'Every query and subscription.' },
    SEND: { description: 'sendMessage and sendReply.' },
    CAMPAIGNS: { description: 'Creating, launching, scheduling and cancelling campaigns.' },
    ADMIN: { description: 'Everything the account may do, every other scope included.' },
  },
});

// The one place of the scope rule: the scope each root field needs. A map rather than
// type-graphql's @Authorized on each resolver so that the rule is read in one screen, new
// resolvers in other domains need no change to be covered, and what is not listed fails
// closed: a query or subscription needs READ, any other mutation ADMIN.
const MUTATION_SCOPES: Readonly<Record<string, ApiKeyScope>> = {
  sendMessage: ApiKeyScope.SEND,
  sendReply: ApiKeyScope.SEND,
  createCampaign: ApiKeyScope.CAMPAIGNS,
  launchCampaign: ApiKeyScope.CAMPAIGNS,
  scheduleCampaign: ApiKeyScope.CAMPAIGNS,
  cancelCampaign: ApiKeyScope.CAMPAIGNS,
};

export type RootOperation = 'Query' | 'Mutation' | 'Subscription';

export function requiredScope(operation: RootOperation, field: string): ApiKeyScope {
  if (operation !== 'Mutation') return ApiKeyScope.READ;
  return MUTATION_SCOPES[field] ?? ApiKeyScope.ADMIN;
}

/** null (full access) or the stored set. */
export function allows(scopes: ReadonlySet<string> | null | undefined, needed: ApiKeyScope): boolean {
  return !scopes || scopes.has(ApiKeyScope.ADMIN) || scopes.has(needed);
}

/** The stored form: sorted, comma-separated; null when no scopes were asked for (full access). */
export function storedScopes(scopes: readonly ApiKeyScope[] | null | undefined): string | null {
  if (scopes === null || scopes === undefined) return null;
  const unique = [...new Set(scopes)].sort();
  if (!unique.length) throw badInput('scopes', 'name at least one scope, or leave scopes out for a key with full access');
  return unique.join(',');
}

export function parseScopes(stored: string | null): ReadonlySet<string> | null {
  return stored === null ? null : new Set(stored.split(',').filter(Boolean));
}

/** What the API shows: a key with full access shows ADMIN. */
export function shownScopes(stored: string | null): ApiKeyScope[] {
  return stored === null ? [ApiKeyScope.ADMIN] : (stored.split(',').filter(Boolean) as ApiKeyScope[]);
}

/**
 * Wraps every root field so that a key without the field's scope is refused (FORBIDDEN) before
 * the resolver runs, over HTTP and graphql-ws alike; a subscription is refused when it starts.
 */
export function guardScopes(schema: GraphQLSchema): void {
  const roots: Array<[RootOperation, ReturnType<GraphQLSchema['getQueryType']>]> = [
    ['Query', schema.getQueryType()],
    ['Mutation', schema.getMutationType()],
    ['Subscription', schema.getSubscriptionType()],
  ];
  for (const [operation, type] of roots) {
    for (const field of Object.values(type?.getFields() ?? {})) {
      const needed = requiredScope(operation, field.name);
      const check = (context: Context) => {
        const principal = context.principal;
        if (principal?.kind === 'account' && !allows(principal.scopes, needed)) {
          throw forbidden(`${field.name}: this API key lacks the ${needed} scope`);
        }
      };
      const wrap = (inner: GraphQLFieldResolver<unknown, Context>): GraphQLFieldResolver<unknown, Context> => (source, args, context, info) => {
        check(context);
        return inner(source, args, context, info);
      };
      if (operation === 'Subscription') {
        if (field.subscribe) field.subscribe = wrap(field.subscribe as GraphQLFieldResolver<unknown, Context>);
      } else {
        field.resolve = wrap((field.resolve ?? defaultFieldResolver) as GraphQLFieldResolver<unknown, Context>);
      }
    }
  }
}
