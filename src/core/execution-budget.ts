import type { ApolloServerPlugin } from '@apollo/server';
import { GraphQLError } from 'graphql';
import type { MiddlewareFn } from 'type-graphql';

export const QUERY_BUDGET_EXCEEDED = 'QUERY_BUDGET_EXCEEDED';

export interface ExecutionLimits {
  timeoutMs: number;
  maxRows: number;
}

/**
 * The second line behind the cost limits: whatever the estimate missed, one request may run
 * for timeoutMs and have its resolvers return maxRows objects, then every field still to
 * resolve fails, instead of the request holding the event loop or the heap.
 */
export class ExecutionBudget {
  private readonly deadline: number;
  private rows = 0;

  constructor(private readonly limits: ExecutionLimits) {
    this.deadline = Date.now() + limits.timeoutMs;
  }

  beforeField(): void {
    if (Date.now() > this.deadline) throw budgetExceeded('time', `the request ran over its time budget of ${this.limits.timeoutMs} ms`);
    if (this.rows > this.limits.maxRows) throw budgetExceeded('rows', `the request loaded more than ${this.limits.maxRows} rows`);
  }

  afterField(result: unknown): void {
    if (Array.isArray(result)) {
      if (result.length && typeof result[0] === 'object') this.rows += result.length;
    } else if (result !== null && typeof result === 'object' && !(result instanceof Date)) {
      this.rows += 1;
    }
  }
}

function budgetExceeded(limit: string, message: string): GraphQLError {
  return new GraphQLError(`${message}; ask for less (smaller pages, fewer nested lists)`, { extensions: { code: QUERY_BUDGET_EXCEEDED, limit } });
}

/** Global field middleware: contexts without a budget (subscriptions, internal calls) are not limited. */
export const enforceBudget: MiddlewareFn<{ budget?: ExecutionBudget }> = async ({ context }, next) => {
  const budget = context.budget;
  if (!budget) return next();
  budget.beforeField();
  const result = await next();
  budget.afterField(result);
  return result;
};

/** Once the budget is spent every pending field fails alike: the answer keeps the first of those errors. */
export function budgetErrorsOnce<C extends object>(): ApolloServerPlugin<C> {
  return {
    async requestDidStart() {
      return {
        async willSendResponse({ response }) {
          if (response.body.kind !== 'single' || !response.body.singleResult.errors) return;
          let seen = false;
          response.body.singleResult.errors = response.body.singleResult.errors.filter((error) => {
            if (error.extensions?.code !== QUERY_BUDGET_EXCEEDED) return true;
            if (seen) return false;
            seen = true;
            return true;
          });
        },
      };
    },
  };
}
