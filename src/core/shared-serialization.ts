import type { ExecutionResult, GraphQLError } from 'graphql';
import type { WebSocket, WebSocketServer } from 'ws';

/**
 * graphql-ws serialises each `next` message on its own: a reply shown in a thousand inboxes of
 * one account was JSON.stringify'd a thousand times (and encoded to UTF-8 a thousand times by
 * ws). Here the payload of a result is serialised and encoded once, and every socket that sends
 * that result writes the same bytes behind its own `{"id":…,"type":"next","payload":` prefix.
 *
 * It takes two hooks. `sharedNext` is graphql-ws's onNext: it leaves the payload's bytes with
 * the socket, under the subscription's id, and hands graphql-ws a stand-in that stringifies to a
 * mark. `shareSerializedSends` wraps each socket's send: a message ending in the mark is sent as
 * its prefix, the stored bytes and the closing brace. Results are shared between subscribers by
 * sharedSubscribe (shared-subscriptions.ts); an unshared result is serialised once too, for its
 * one subscriber, so the two paths write the same JSON.
 */

const MARK = 'switchboard:shared-payload';
const MARK_TAIL = `${JSON.stringify(MARK)}}`;
const CLOSE = Buffer.from('}');

/** What graphql-ws puts in the message's payload: a plain object, as its validation wants, that stringifies to the mark. */
const STAND_IN = Object.freeze({ toJSON: () => MARK });

const bytesOf = new WeakMap<ExecutionResult, Buffer>();
const pendingOf = new WeakMap<WebSocket, Map<string, Buffer>>();

/** The payload's bytes, once per result object; errors formatted as `formatError` maps them. */
export function serializedPayload(result: ExecutionResult, formatError: (error: GraphQLError) => GraphQLError): Buffer {
  let bytes = bytesOf.get(result);
  if (!bytes) {
    const payload = result.errors ? { ...result, errors: result.errors.map(formatError) } : result;
    bytes = Buffer.from(JSON.stringify(payload));
    bytesOf.set(result, bytes);
  }
  return bytes;
}

/** graphql-ws's onNext: the result's bytes wait on the socket for this subscription's message. */
export function sharedNext(formatError: (error: GraphQLError) => GraphQLError) {
  return (ctx: { extra: { socket: WebSocket } }, id: string, _payload: unknown, _args: unknown, result: ExecutionResult): ExecutionResult => {
    const socket = ctx.extra.socket;
    let pending = pendingOf.get(socket);
    if (!pending) {
      pending = new Map();
      pendingOf.set(socket, pending);
    }
    pending.set(id, serializedPayload(result, formatError));
    return STAND_IN as ExecutionResult;
  };
}

/** Wraps the send of every socket the server accepts (register before graphql-ws's useServer). */
export function shareSerializedSends(wsServer: WebSocketServer): void {
  wsServer.on('connection', (socket: WebSocket) => {
    const send = socket.send.bind(socket) as (data: unknown, options: object, cb?: (error?: Error) => void) => void;
    socket.send = ((data: unknown, optionsOrCb?: unknown, cb?: (error?: Error) => void) => {
      const callback = typeof optionsOrCb === 'function' ? (optionsOrCb as (error?: Error) => void) : cb;
      const options = typeof optionsOrCb === 'object' && optionsOrCb !== null ? optionsOrCb : {};
      const shared = typeof data === 'string' && data.endsWith(MARK_TAIL) ? takePending(socket, data) : undefined;
      if (!shared) return send(data, options, callback);
      // A text frame, as graphql-ws's own string messages are (a Buffer would go out binary).
      send(Buffer.concat([shared.prefix, shared.bytes, CLOSE]), { ...options, binary: false }, callback);
    }) as WebSocket['send'];
  });
}

function takePending(socket: WebSocket, message: string): { prefix: Buffer; bytes: Buffer } | undefined {
  const { id } = JSON.parse(message) as { id?: unknown };
  const pending = pendingOf.get(socket);
  const bytes = typeof id === 'string' ? pending?.get(id) : undefined;
  if (!bytes) return undefined;
  pending!.delete(id as string);
  return { prefix: Buffer.from(message.slice(0, message.length - MARK_TAIL.length)), bytes };
}
