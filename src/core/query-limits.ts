import { maxAliasesRule } from '@escape.tech/graphql-armor-max-aliases';
import { maxDepthRule } from '@escape.tech/graphql-armor-max-depth';
import { maxDirectivesRule } from '@escape.tech/graphql-armor-max-directives';
import type { ApolloServerPlugin } from '@apollo/server';
import type { NextFunction, Request, Response } from 'express';
import {
  GraphQLError,
  parse,
  validate,
  getNamedType,
  getNullableType,
  isLeafType,
  isListType,
  type DocumentNode,
  type GraphQLSchema,
  type ValidationContext,
  type ValidationRule,
} from 'graphql';
import { getComplexity, type ComplexityEstimator } from 'graphql-query-complexity';
import { MAX_PAGE_SIZE } from './pagination';

/** What one GraphQL document may ask, checked before anything runs (see README, Configuration). */
export interface QueryLimits {
  maxTokens: number;
  maxAliases: number;
  maxDepth: number;
  maxDirectives: number;
  maxCost: number;
}

export const QUERY_TOO_COMPLEX = 'QUERY_TOO_COMPLEX';

// A list with no `first` (an account's groups, a contact's memberships) is costed as this many items.
const UNPAGED_LIST_SIZE = 10;
// Fields walked, fragments expanded, before the cost is not even estimated: a document of
// fragments that spread each other twice stays small on the wire and grows exponentially.
const MAX_EXPANDED_FIELDS = 2_000;

export function tooComplex(limit: string, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code: QUERY_TOO_COMPLEX, limit } });
}

/** Static rules, memoised per fragment, so that each runs in time linear in the document. */
export function queryLimitRules(limits: QueryLimits): ValidationRule[] {
  const report = (limit: string) => [(context: ValidationContext | null, error: GraphQLError) => {
    context?.reportError(tooComplex(limit, error.message.replace(/^Syntax Error: /, '')));
  }];
  const common = { exposeLimits: true, propagateOnRejection: false };
  return [
    maxAliasesRule({ ...common, n: limits.maxAliases, onReject: report('aliases') }),
    maxDirectivesRule({ ...common, n: limits.maxDirectives, onReject: report('directives') }),
    // Introspection's own nesting (__schema { types { fields { type { ofType ... } } } }) is not counted.
    maxDepthRule({ ...common, n: limits.maxDepth, ignoreIntrospection: true, flattenFragments: true, onReject: report('depth') }),
  ];
}

/**
 * Each field costs 1 and its selection as many times as it may return items: a connection
 * `first` times (its default where not given), any other list of objects UNPAGED_LIST_SIZE
 * times. Leaves and introspection cost nothing.
 */
const listAwareCost: ComplexityEstimator = ({ type, field, args, childComplexity }) => {
  if (field.name.startsWith('__')) return 0;
  const returned = getNullableType(field.type);
  if (isLeafType(getNamedType(returned))) return 0;
  // A `first` out of range is refused by the field itself, naming it.
  if (typeof args.first === 'number') return 1 + Math.min(Math.max(args.first, 1), MAX_PAGE_SIZE) * childComplexity;
  // A connection's nodes are its `first` items, already counted on the connection's field.
  if (isListType(returned) && !type.name.endsWith('Connection')) return 1 + UNPAGED_LIST_SIZE * childComplexity;
  return 1 + childComplexity;
};

/** The refusal for a valid document whose estimated cost, with its variables, is over the limit; null when it may run. */
export function costRefusal(
  schema: GraphQLSchema,
  document: DocumentNode,
  variables: Record<string, unknown> | undefined,
  operationName: string | null | undefined,
  maxCost: number,
): GraphQLError | null {
  let cost: number;
  try {
    cost = getComplexity({ schema, query: document, variables, operationName: operationName ?? undefined, estimators: [listAwareCost], maxQueryNodes: MAX_EXPANDED_FIELDS });
  } catch (error) {
    if (error instanceof GraphQLError && /maximum allowed number of nodes/.test(error.message)) {
      return tooComplex('cost', `Query expands to more than ${MAX_EXPANDED_FIELDS} fields.`);
    }
    // Variables that do not fit the operation: execution refuses them, naming the field (BAD_USER_INPUT).
    return null;
  }
  return cost > maxCost ? tooComplex('cost', `Query cost limit of ${maxCost} exceeded, estimated ${cost} (lists count as their \`first\`).`) : null;
}

/** Apollo: the cost needs the request's variables, so it is checked once the operation is resolved, before execution. */
export function queryCostPlugin<C extends object>(limits: QueryLimits): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, request, operationName }) {
          const refusal = costRefusal(schema, document, request.variables, operationName, limits.maxCost);
          if (refusal) throw new GraphQLError(refusal.message, { extensions: { ...refusal.extensions, http: { status: 400 } } });
        },
      };
    },
  };
}

/** Apollo rewrites validation and parse errors to its generic codes; the limit's own code is the one clients can act on. */
export function queryLimitExtensions(formattedMessage: string, original: unknown): { code: string; limit: unknown } | undefined {
  if (original instanceof GraphQLError && original.extensions?.code === QUERY_TOO_COMPLEX) return { code: QUERY_TOO_COMPLEX, limit: original.extensions.limit };
  // graphql-js words it "more that N tokens".
  if (/^Syntax Error: Document contains more tha[nt] \d+ tokens/.test(formattedMessage)) return { code: QUERY_TOO_COMPLEX, limit: 'tokens' };
  return undefined;
}

/**
 * The limits alone first, in a pass of their own: graphql's own rules (overlapping fields above
 * all) are quadratic in the aliases, so a document refused for its size is refused before they
 * run. Null when the document keeps the limits.
 */
export function limitRefusals(schema: GraphQLSchema, document: DocumentNode, limitRules: ValidationRule[]): readonly GraphQLError[] | null {
  const errors = validate(schema, document, limitRules);
  return errors.length ? errors : null;
}

/** Over HTTP, the same first pass before Apollo runs the rest; what it cannot read, Apollo reports as usual. */
export function refuseOverLimits(schema: GraphQLSchema, limitRules: ValidationRule[], maxTokens: number) {
  return (req: Request, res: Response, next: NextFunction) => {
    const query = (req.body as { query?: unknown } | undefined)?.query;
    if (typeof query !== 'string') return next();
    let refusals: readonly GraphQLError[] | null;
    try {
      refusals = limitRefusals(schema, parse(query, { maxTokens }), limitRules);
    } catch {
      return next();
    }
    if (!refusals) return next();
    res.status(400).json({ errors: refusals.map((error) => error.toJSON()) });
  };
}
