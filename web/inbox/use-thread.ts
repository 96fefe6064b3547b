import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError, request } from './api';
import type { InboxConversation, InboxMessage, KeywordCategory, PageInfo, SendError } from './model';
import { CLOSE, MARK_READ, REOPEN, SEND_REPLY, THREAD } from './queries';
import { describeRefusal } from './send-errors';
import { belongsTo, mergeMessages, PENDING_PREFIX, settlePending } from './thread';

interface ThreadData {
  conversation: (InboxConversation & {
    contact: { memberships: Array<{ status: 'SUBSCRIBED' | 'UNSUBSCRIBED'; group: { id: string } }> };
    messages: { nodes: InboxMessage[]; pageInfo: PageInfo };
  }) | null;
}

export interface Thread {
  conversation: InboxConversation;
  messages: InboxMessage[];
  earlier: PageInfo;
  optedOut: boolean;
}

export interface ThreadCallbacks {
  onError(error: unknown): void;
  /** The conversation changed here (read, closed, reopened): the list follows. */
  onChange(id: string, change: Partial<InboxConversation>): void;
  onSent(message: InboxMessage): void;
}

let pendingSeq = 0;

/** The open conversation: its messages, older pages on demand, live events merged in, and the agent's actions. */
export function useThread(key: string, id: string | null, callbacks: ThreadCallbacks) {
  const [thread, setThread] = useState<Thread | null>(null);
  const [refusal, setRefusal] = useState<string | null>(null);
  const idRef = useRef(id);
  idRef.current = id;
  // The callbacks may change at every render; the thread is loaded again only when the id changes.
  const callbacksRef = useRef(callbacks);
  callbacksRef.current = callbacks;
  const onError = useCallback((error: unknown) => callbacksRef.current.onError(error), []);
  const onChange = (conversationId: string, change: Partial<InboxConversation>) => callbacksRef.current.onChange(conversationId, change);

  const markRead = useCallback((conversationId: string) => {
    callbacksRef.current.onChange(conversationId, { unreadCount: 0 });
    request(key, MARK_READ, { id: conversationId }).catch(onError);
  }, [key, onError]);

  const load = useCallback(async (conversationId: string, after: string | null) => {
    try {
      const data = await request<ThreadData>(key, THREAD, { id: conversationId, after });
      const found = data.conversation;
      if (idRef.current !== conversationId || !found) return;
      const { messages, ...conversation } = found;
      const optedOut = found.contact.memberships.some((m) => m.group.id === found.group.id && m.status === 'UNSUBSCRIBED');
      setThread((held) => ({
        conversation,
        optedOut,
        messages: mergeMessages(held?.conversation.id === conversationId ? held.messages : [], messages.nodes),
        earlier: after === null && held?.conversation.id === conversationId ? held.earlier : messages.pageInfo,
      }));
    } catch (error) {
      onError(error);
    }
  }, [key, onError]);

  useEffect(() => {
    setThread(null);
    setRefusal(null);
    if (id === null) return;
    void load(id, null);
    markRead(id);
  }, [id, load, markRead]);

  const withThread = (change: (held: Thread) => Thread) => setThread((held) => (held ? change(held) : held));

  return {
    thread,
    refusal,
    loadEarlier() {
      if (thread) void load(thread.conversation.id, thread.earlier.endCursor);
    },
    async catchUp() {
      if (idRef.current !== null) await load(idRef.current, null);
    },
    /** A reply arrived; when it is this thread's, the agent is reading it. */
    receive(event: { keyword: KeywordCategory | null; message: InboxMessage; conversation: InboxConversation }) {
      if (event.conversation.id !== idRef.current) return;
      withThread((held) => ({
        ...held,
        conversation: { ...event.conversation, unreadCount: 0 },
        messages: mergeMessages(held.messages, [event.message]),
        optedOut: event.keyword === 'OPT_OUT' ? true : event.keyword === 'OPT_IN' ? false : held.optedOut,
      }));
      markRead(event.conversation.id);
    },
    delivered(message: InboxMessage) {
      withThread((held) => (belongsTo(message, held.conversation) ? { ...held, messages: mergeMessages(held.messages, [message]) } : held));
    },
    async send(body: string): Promise<boolean> {
      if (!thread) return false;
      const conversationId = thread.conversation.id;
      const pending: InboxMessage = {
        id: `${PENDING_PREFIX}${++pendingSeq}`,
        direction: 'OUTBOUND',
        body,
        status: 'QUEUED',
        createdAt: new Date().toISOString(),
        error: null,
        contact: { id: thread.conversation.contact.id },
        sender: { id: thread.conversation.sender.id },
        campaign: null,
      };
      setRefusal(null);
      withThread((held) => ({ ...held, messages: mergeMessages(held.messages, [pending]) }));
      try {
        const data = await request<{ sendReply: InboxMessage }>(key, SEND_REPLY, { id: conversationId, body });
        withThread((held) => ({ ...held, messages: settlePending(held.messages, pending.id, data.sendReply) }));
        callbacksRef.current.onSent(data.sendReply);
        return true;
      } catch (error) {
        withThread((held) => ({ ...held, messages: settlePending(held.messages, pending.id, null) }));
        const sendError: SendError | null = error instanceof ApiError ? error.sendError : null;
        if (!sendError) {
          onError(error);
          return false;
        }
        setRefusal(describeRefusal(sendError));
        if (sendError.code === 'RECIPIENT_UNSUBSCRIBED') withThread((held) => ({ ...held, optedOut: true }));
        return false;
      }
    },
    async setStatus(status: 'OPEN' | 'CLOSED') {
      if (!thread) return;
      try {
        const id = thread.conversation.id;
        await request(key, status === 'CLOSED' ? CLOSE : REOPEN, { id });
        withThread((held) => ({ ...held, conversation: { ...held.conversation, status } }));
        onChange(id, { status });
      } catch (error) {
        onError(error);
      }
    },
  };
}
