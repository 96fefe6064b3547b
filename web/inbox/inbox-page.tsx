import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { KeyRejected } from './api';
import type { ListFilter, Show } from './conversation-list';
import { ConversationListView } from './conversation-list-view';
import { openLive, type Connection, type LiveHandlers } from './live';
import { loadViewer, type Viewer } from './sign-in';
import { ThreadView } from './thread-view';
import { useConversations } from './use-conversations';
import { useThread } from './use-thread';

const CONNECTION_WORDS: Record<Connection, string> = {
  connecting: 'Connecting…',
  live: 'Live',
  reconnecting: 'Reconnecting… replies will appear once the connection is back',
};

const KEY_GONE = 'The API key is no longer accepted. Sign in again.';

export function InboxPage(props: { apiKey: string; viewer: Viewer | null; onSignOut(why: string | null): void }) {
  const { apiKey, onSignOut } = props;
  const [viewer, setViewer] = useState(props.viewer);
  const [filter, setFilter] = useState<ListFilter>({ show: 'open', groupId: null });
  const [openId, setOpenId] = useState<string | null>(null);
  const [connection, setConnection] = useState<Connection>('connecting');
  const [problem, setProblem] = useState<string | null>(null);

  const onError = useCallback((error: unknown) => {
    if (error instanceof KeyRejected) onSignOut(KEY_GONE);
    else setProblem(`Something went wrong: ${(error as Error).message}`);
  }, [onSignOut]);

  const list = useConversations(apiKey, filter, onError);
  const thread = useThread(apiKey, openId, { onError, onChange: list.update, onSent: list.sent });

  useEffect(() => {
    if (!viewer) loadViewer(apiKey).then(setViewer, onError);
  }, [apiKey]);

  // The live handlers are made once per key; they reach the current list and thread through a ref.
  const current = useRef({ list, thread });
  current.current = { list, thread };
  useEffect(() => {
    const handlers: LiveHandlers = {
      onReply: (event) => {
        current.current.list.receive(event.conversation);
        current.current.thread.receive(event);
      },
      onDelivery: (message) => {
        current.current.list.sent(message);
        current.current.thread.delivered(message);
      },
      onConnection: setConnection,
      onCatchUp: () => {
        void current.current.list.catchUp();
        void current.current.thread.catchUp();
      },
      onKeyRejected: () => onSignOut(KEY_GONE),
    };
    return openLive(apiKey, handlers);
  }, [apiKey, onSignOut]);

  return (
    <div class="inbox">
      <header class="top">
        <h1>Inbox{viewer && <span class="account"> · {viewer.account.name}</span>}</h1>
        <p role="status" class={`connection ${connection}`}>{CONNECTION_WORDS[connection]}</p>
        <button type="button" class="secondary" onClick={() => onSignOut(null)}>Sign out</button>
      </header>
      {problem && (
        <p class="error banner" role="alert">
          {problem} <button type="button" class="link" onClick={() => setProblem(null)}>Dismiss</button>
        </p>
      )}
      <nav class="sidebar" aria-label="Conversation list">
        <div class="filters">
          <label>
            Show
            <select value={filter.show} onChange={(e) => setFilter({ ...filter, show: e.currentTarget.value as Show })}>
              <option value="open">Open</option>
              <option value="unread">Unread</option>
              <option value="closed">Closed</option>
              <option value="all">All</option>
            </select>
          </label>
          <label>
            Group
            <select value={filter.groupId ?? ''} onChange={(e) => setFilter({ ...filter, groupId: e.currentTarget.value || null })}>
              <option value="">All groups</option>
              {viewer?.groups.map((g) => <option key={g.id} value={g.id}>{g.name}</option>)}
            </select>
          </label>
        </div>
        <ConversationListView
          conversations={list.conversations}
          loading={list.loading}
          hasMore={list.hasMore}
          openId={openId}
          onOpen={setOpenId}
          onMore={list.loadMore}
        />
      </nav>
      <main class="thread-pane">
        {openId === null
          ? <p class="empty">Choose a conversation to read and answer it.</p>
          : <ThreadView thread={thread} />}
      </main>
    </div>
  );
}
