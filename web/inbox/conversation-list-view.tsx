import { useEffect, useRef, useState } from 'preact/hooks';
import { shortTime } from './format';
import { contactName, type InboxConversation, type InboxMessage } from './model';

interface Props {
  conversations: InboxConversation[];
  loading: boolean;
  hasMore: boolean;
  openId: string | null;
  onOpen(id: string): void;
  onMore(): void;
}

const NAVIGATION_KEYS = ['ArrowDown', 'ArrowUp', 'Home', 'End'];

/** Who wrote the last message: the contact, an agent, or a campaign. */
function author(conversation: InboxConversation, message: InboxMessage): string {
  if (message.direction === 'INBOUND') return contactName(conversation.contact) ?? 'Contact';
  return message.campaign ? `Campaign ${message.campaign.name}` : 'You';
}

function ConversationItem(props: { conversation: InboxConversation; open: boolean; focusable: boolean; onOpen(): void }) {
  const { conversation: c } = props;
  const name = contactName(c.contact);
  const last = c.lastMessage;
  return (
    <li class={props.open ? 'conversation open' : 'conversation'}>
      <button type="button" data-id={c.id} tabIndex={props.focusable ? 0 : -1} aria-current={props.open ? 'true' : undefined} onClick={props.onOpen}>
        <span class="line">
          <span class="number">{c.contact.phoneNumber}</span>
          {name && <span class="name">{name}</span>}
          <time dateTime={c.lastMessageAt}>{shortTime(c.lastMessageAt)}</time>
        </span>
        <span class="line">
          <span class="last">
            {last ? <><span class="author">{author(c, last)}:</span> {last.body}</> : <em>No messages yet</em>}
          </span>
          {c.unreadCount > 0 && <span class="badge">{c.unreadCount}<span class="sr-only"> unread</span></span>}
        </span>
        <span class="line meta">
          <span>via {c.sender.value} · {c.group.name}</span>
          {c.status === 'CLOSED' && <span class="closed-tag">Closed</span>}
        </span>
      </button>
    </li>
  );
}

/** The conversation list: arrow keys move between threads, Enter opens one; more load as the end scrolls into view. */
export function ConversationListView(props: Props) {
  const listRef = useRef<HTMLUListElement>(null);
  const moreRef = useRef<HTMLButtonElement>(null);
  const [focusedId, setFocusedId] = useState<string | null>(null);
  const ids = props.conversations.map((c) => c.id);
  const tabStop = focusedId !== null && ids.includes(focusedId) ? focusedId : props.openId !== null && ids.includes(props.openId) ? props.openId : ids[0];

  const onMore = useRef(props.onMore);
  onMore.current = props.onMore;
  useEffect(() => {
    const button = moreRef.current;
    if (!button) return;
    const observer = new IntersectionObserver((entries) => entries.some((e) => e.isIntersecting) && onMore.current());
    observer.observe(button);
    return () => observer.disconnect();
  }, [props.hasMore]);

  const onKeyDown = (event: KeyboardEvent) => {
    if (!NAVIGATION_KEYS.includes(event.key) || !ids.length) return;
    event.preventDefault();
    const at = Math.max(0, ids.indexOf((document.activeElement as HTMLElement | null)?.dataset.id ?? ''));
    const next = event.key === 'Home' ? 0 : event.key === 'End' ? ids.length - 1 : Math.min(ids.length - 1, Math.max(0, at + (event.key === 'ArrowDown' ? 1 : -1)));
    setFocusedId(ids[next]);
    listRef.current?.querySelector<HTMLButtonElement>(`button[data-id="${ids[next]}"]`)?.focus();
  };

  return (
    <div class="list-scroll">
      <ul ref={listRef} role="list" aria-label="Conversations" aria-busy={props.loading} onKeyDown={onKeyDown}>
        {props.conversations.map((c) => (
          <ConversationItem key={c.id} conversation={c} open={c.id === props.openId} focusable={c.id === tabStop} onOpen={() => props.onOpen(c.id)} />
        ))}
      </ul>
      {!props.loading && !props.conversations.length && <p class="empty">No conversations here yet.</p>}
      {props.hasMore && (
        <button ref={moreRef} type="button" class="secondary more" onClick={props.onMore} disabled={props.loading}>
          Load more conversations
        </button>
      )}
    </div>
  );
}
