import { createClient, type Client } from 'graphql-ws';
import type { InboxConversation, InboxMessage, KeywordCategory } from './model';
import { DELIVERIES, REPLIES } from './queries';

export type Connection = 'connecting' | 'live' | 'reconnecting';

export interface LiveHandlers {
  onReply(event: { keyword: KeywordCategory | null; message: InboxMessage; conversation: InboxConversation }): void;
  onDelivery(message: InboxMessage): void;
  onConnection(state: Connection): void;
  /** After a reconnection: events may have been missed while the socket was down. */
  onCatchUp(): void;
  /** The server closed with 4403: the key was revoked. */
  onKeyRejected(): void;
}

const FORBIDDEN = 4403;

const isClose = (value: unknown): value is { code: number } => typeof value === 'object' && value !== null && 'code' in value;

/**
 * replyReceived and deliveryEvents over one graphql-ws socket, the key in connection_init as
 * for any client. It retries for ever, a few seconds apart at most, and re-subscribes by itself.
 */
export function openLive(key: string, handlers: LiveHandlers): () => void {
  const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
  let everConnected = false;
  const client: Client = createClient({
    url,
    lazy: false,
    connectionParams: { authorization: `Bearer ${key}` },
    retryAttempts: Infinity,
    shouldRetry: (error) => !(isClose(error) && error.code === FORBIDDEN),
    retryWait: (retries) => new Promise((resolve) => setTimeout(resolve, Math.min(250 * 2 ** retries, 4000) + Math.random() * 250)),
    onNonLazyError: (error) => {
      if (isClose(error) && error.code === FORBIDDEN) handlers.onKeyRejected();
    },
    on: {
      connected: () => {
        handlers.onConnection('live');
        if (everConnected) handlers.onCatchUp();
        everConnected = true;
      },
      closed: (event) => {
        if (isClose(event) && event.code === FORBIDDEN) return;
        handlers.onConnection(everConnected ? 'reconnecting' : 'connecting');
      },
    },
  });
  const sink = <T>(next: (data: T) => void) => ({
    next: (value: { data?: T | null }) => value.data && next(value.data),
    error: (error: unknown) => {
      if (isClose(error) && error.code === FORBIDDEN) handlers.onKeyRejected();
    },
    complete: () => {},
  });
  const stopReplies = client.subscribe(
    { query: REPLIES },
    sink<{ replyReceived: Parameters<LiveHandlers['onReply']>[0] }>((data) => handlers.onReply(data.replyReceived)),
  );
  const stopDeliveries = client.subscribe(
    { query: DELIVERIES },
    sink<{ deliveryEvents: { message: InboxMessage } }>((data) => handlers.onDelivery(data.deliveryEvents.message)),
  );
  return () => {
    stopReplies();
    stopDeliveries();
    void client.dispose();
  };
}
