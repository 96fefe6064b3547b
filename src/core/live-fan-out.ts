import { createSourceEventStream, execute, print, type ExecutionArgs, type ExecutionResult, type GraphQLError } from 'graphql';
import type { WebSocket } from 'ws';

/**
 * Live events to many sockets at once. graphql-js gives each subscriber a stream of its own and
 * graphql-ws walks it through several async steps per event (the stream, the mapping to a
 * result, its own loop, the message, the send): with a thousand inboxes of one account, a reply
 * went through all of that a thousand times, and the socket writes came last.
 *
 * Here subscribers with the same (document, variables, visibility) form one group: the group
 * has one source stream, executes each event once, serialises the result once, and writes the
 * same bytes to every member's socket in one synchronous loop, each behind the member's own
 * `{"id":…,"type":"next","payload":` prefix. graphql-ws still owns each subscription: it gets an
 * iterator that yields nothing and ends when the group's stream ends (so it sends `complete`),
 * or when graphql-ws returns it (the client's `complete`, a closed socket).
 *
 * Errors are formatted as over HTTP both in what a group writes and, through `onNext`, in every
 * result graphql-ws sends itself (queries and mutations over the socket, subscribe-time errors).
 *
 * Every subscriber's own subscribe still runs (authorization and argument errors are its own);
 * a member joining a live group then drops that stream. A socket that cannot keep up (more than
 * `maxBufferedBytes` unsent) is closed with 1013, which graphql-ws clients retry: its inbox
 * reconnects and reloads instead of missing replies silently or holding the server's memory.
 */

export interface LiveFanOutOptions {
  /** What a subscriber may see (e.g. its account): subscribers share a group only with equal visibility; null shares nothing. */
  visibilityOf: (contextValue: unknown) => string | null;
  /** Domain errors as clients see them (the same mapping as over HTTP). */
  formatError: (error: GraphQLError) => GraphQLError;
  maxBufferedBytes: number;
}

const TRY_AGAIN_LATER = 1013;
const CLOSE = Buffer.from('}');

interface Target {
  socket: WebSocket;
  id: string;
}

class Member implements AsyncIterableIterator<ExecutionResult> {
  private readonly prefix: Buffer;
  private finish: ((result: IteratorResult<ExecutionResult>) => void) | undefined;
  private fail: ((error: unknown) => void) | undefined;
  private ended: { error?: unknown } | undefined;

  constructor(
    private readonly target: Target,
    private readonly leave: (member: Member) => void,
    private readonly maxBufferedBytes: number,
  ) {
    this.prefix = Buffer.from(`{"id":${JSON.stringify(target.id)},"type":"next","payload":`);
  }

  write(payload: Buffer): void {
    const { socket } = this.target;
    if (socket.readyState !== socket.OPEN) return;
    if (socket.bufferedAmount > this.maxBufferedBytes) {
      socket.close(TRY_AGAIN_LATER, 'Too slow: reconnect and reload');
      return;
    }
    // A text frame, as graphql-ws's own messages are (a Buffer would otherwise go out binary).
    socket.send(Buffer.concat([this.prefix, payload, CLOSE]), { binary: false });
  }

  /** The group's stream ended (error undefined) or failed: graphql-ws sends `complete` or the error. */
  end(error?: unknown): void {
    if (this.ended) return;
    this.ended = error === undefined ? {} : { error };
    if (error === undefined) this.finish?.({ value: undefined, done: true });
    else this.fail?.(error);
    this.finish = this.fail = undefined;
  }

  next(): Promise<IteratorResult<ExecutionResult>> {
    if (this.ended) return this.ended.error === undefined ? Promise.resolve({ value: undefined, done: true }) : Promise.reject(this.ended.error);
    return new Promise((resolve, reject) => {
      this.finish = resolve;
      this.fail = reject;
    });
  }

  return(): Promise<IteratorResult<ExecutionResult>> {
    this.leave(this);
    this.end();
    return Promise.resolve({ value: undefined, done: true });
  }

  throw(error?: unknown): Promise<IteratorResult<ExecutionResult>> {
    this.leave(this);
    this.end();
    return Promise.reject(error);
  }

  [Symbol.asyncIterator](): AsyncIterableIterator<ExecutionResult> {
    return this;
  }
}

class Group {
  readonly members = new Set<Member>();
  private stopped = false;

  constructor(
    private readonly stream: AsyncIterator<unknown>,
    private readonly args: ExecutionArgs,
    private readonly formatted: (result: ExecutionResult) => ExecutionResult,
    private readonly forget: (group: Group) => void,
  ) {}

  async run(): Promise<void> {
    try {
      for (;;) {
        const event = await this.stream.next();
        if (event.done || this.stopped) break;
        const result = await execute({ ...this.args, rootValue: event.value });
        if (this.stopped) break;
        const bytes = Buffer.from(JSON.stringify(this.formatted(result)));
        // A copy: a member closed by its slow socket leaves while this loop runs.
        for (const member of [...this.members]) member.write(bytes);
      }
      this.close();
    } catch (error) {
      this.close(error);
    }
  }

  leave(member: Member): void {
    if (!this.members.delete(member) || this.members.size) return;
    this.stopped = true;
    this.forget(this);
    void this.stream.return?.();
  }

  private close(error?: unknown): void {
    this.stopped = true;
    this.forget(this);
    for (const member of [...this.members]) member.end(error);
    this.members.clear();
  }
}

export class LiveFanOut {
  private readonly targets = new WeakMap<object, Target>();
  private readonly groups = new Map<string, Group>();

  constructor(private readonly options: LiveFanOutOptions) {}

  /** Call from graphql-ws's context hook: the subscription's socket and id, for its writes. */
  bind<C extends object>(contextValue: C, socket: WebSocket, id: string): C {
    this.targets.set(contextValue, { socket, id });
    return contextValue;
  }

  /** graphql-ws's onNext, for what graphql-ws sends itself: queries and mutations, subscribe-time errors, unshared subscriptions. */
  readonly onNext = (_ctx: unknown, _id: string, _payload: unknown, _args: unknown, result: ExecutionResult): ExecutionResult | undefined =>
    result.errors ? this.formatted(result) : undefined;

  /** graphql-ws's subscribe. */
  readonly subscribe = async (args: ExecutionArgs): Promise<AsyncIterableIterator<ExecutionResult> | ExecutionResult> => {
    const stream = await createSourceEventStream(args);
    if (!isAsyncIterable(stream)) return stream as ExecutionResult;
    const source = stream[Symbol.asyncIterator]();
    const target = typeof args.contextValue === 'object' && args.contextValue !== null ? this.targets.get(args.contextValue) : undefined;
    const visibility = this.options.visibilityOf(args.contextValue);
    if (!target || visibility === null) return executedEach(source, args);

    const key = `${visibility}\n${args.operationName ?? ''}\n${JSON.stringify(args.variableValues ?? {})}\n${print(args.document)}`;
    let group = this.groups.get(key);
    if (group) {
      void source.return?.();
    } else {
      const created = new Group(source, args, (result) => this.formatted(result), (self) => {
        if (this.groups.get(key) === self) this.groups.delete(key);
      });
      this.groups.set(key, created);
      void created.run();
      group = created;
    }
    const joined = group;
    const member = new Member(target, (self) => joined.leave(self), this.options.maxBufferedBytes);
    joined.members.add(member);
    return member;
  };

  private formatted(result: ExecutionResult): ExecutionResult {
    return result.errors ? { ...result, errors: result.errors.map(this.options.formatError) } : result;
  }

  /** Live groups and their members (the tests read it). */
  get size(): { groups: number; members: number } {
    let members = 0;
    for (const group of this.groups.values()) members += group.members.size;
    return { groups: this.groups.size, members };
  }
}

function isAsyncIterable(value: unknown): value is AsyncIterable<unknown> {
  return typeof (value as AsyncIterable<unknown>)?.[Symbol.asyncIterator] === 'function';
}

/** A subscriber that shares nothing: graphql-js's own mapping (return() reaches the source at once). */
function executedEach(source: AsyncIterator<unknown>, args: ExecutionArgs): AsyncIterableIterator<ExecutionResult> {
  return {
    async next() {
      const event = await source.next();
      if (event.done) return { value: undefined, done: true };
      return { value: await execute({ ...args, rootValue: event.value }), done: false };
    },
    async return() {
      await source.return?.();
      return { value: undefined, done: true };
    },
    async throw(error?: unknown) {
      await source.return?.();
      throw error;
    },
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}
