import { createSourceEventStream, execute, print, type ExecutionArgs, type ExecutionResult } from 'graphql';

type Result = ExecutionResult | Promise<ExecutionResult>;

/**
 * graphql-js executes a subscription's document once per subscriber and event. A thousand
 * inboxes of one account, all with the same document, would compute the same answer a thousand
 * times. Here an event's result is computed once per (document, variables, visibility) and
 * shared by every subscriber with that key; each still gets its own copy on its socket.
 *
 * `visibilityOf` names what a subscriber may see (e.g. its account); null opts out of sharing.
 * Results are keyed on the event object itself, so they are dropped with it.
 */
export function sharedSubscribe(visibilityOf: (contextValue: unknown) => string | null) {
  const results = new WeakMap<object, Map<string, Result>>();

  return async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const stream = await createSourceEventStream(args);
    if (!isAsyncIterable(stream)) return stream as ExecutionResult;
    const visibility = visibilityOf(args.contextValue);
    const key = visibility === null ? null : `${visibility}\n${args.operationName ?? ''}\n${JSON.stringify(args.variableValues ?? {})}\n${print(args.document)}`;
    return mapAsyncIterator(stream, (payload) => {
      const run = () => execute({ ...args, rootValue: payload });
      if (key === null || payload === null || typeof payload !== 'object') return run();
      let byKey = results.get(payload);
      if (!byKey) {
        byKey = new Map();
        results.set(payload, byKey);
      }
      let result = byKey.get(key);
      if (!result) {
        result = run();
        byKey.set(key, result);
      }
      return result;
    });
  };
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown>)?.[Symbol.asyncIterator] === 'function';
}

/** graphql-js's own mapping (return() reaches the source at once, unlike an async generator's). */
function mapAsyncIterator<T, U>(iterable: AsyncIterable<T>, fn: (value: T) => U | Promise<U>): AsyncIterableIterator<U> {
  const iterator = iterable[Symbol.asyncIterator]();
  async function mapResult(result: IteratorResult<T>): Promise<IteratorResult<U>> {
    if (result.done) return result;
    try {
      return { value: await fn(result.value), done: false };
    } catch (error) {
      if (typeof iterator.return === 'function') {
        try {
          await iterator.return();
        } catch {
          // the mapping error is the one to report
        }
      }
      throw error;
    }
  }
  return {
    async next() {
      return mapResult(await iterator.next());
    },
    async return(): Promise<IteratorResult<U>> {
      return typeof iterator.return === 'function' ? mapResult(await iterator.return()) : { value: undefined, done: true };
    },
    async throw(error?: unknown) {
      if (typeof iterator.throw === 'function') return mapResult(await iterator.throw(error));
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
