import { useEffect, useRef } from 'preact/hooks';
import { fullTime, shortTime } from './format';
import { contactName, type InboxMessage } from './model';
import { ReplyBox } from './reply-box';
import { statusLabel } from './thread';
import type { useThread } from './use-thread';

function MessageItem(props: { message: InboxMessage }) {
  const m = props.message;
  const inbound = m.direction === 'INBOUND';
  const failed = m.status === 'FAILED' || m.status === 'UNDELIVERED' || m.status === 'REJECTED';
  return (
    <li class={`message ${inbound ? 'inbound' : 'outbound'}`} data-id={m.id}>
      <span class="sr-only">{inbound ? 'Received:' : 'Sent:'}</span>
      {m.campaign && <span class="campaign">Campaign {m.campaign.name}</span>}
      <p class="body">{m.body}</p>
      <span class="meta">
        <time dateTime={m.createdAt} title={fullTime(m.createdAt)}>{shortTime(m.createdAt)}</time>
        {!inbound && <span class={`status ${failed ? 'failed' : m.status.toLowerCase()}`} data-status={m.status}>{statusLabel(m)}</span>}
      </span>
    </li>
  );
}

export function ThreadView(props: { thread: ReturnType<typeof useThread> }) {
  const { thread: state } = props;
  const thread = state.thread;
  const logRef = useRef<HTMLOListElement>(null);
  const newest = thread?.messages[thread.messages.length - 1]?.id;
  useEffect(() => {
    logRef.current?.lastElementChild?.scrollIntoView({ block: 'end' });
  }, [newest]);

  if (!thread) return <p class="empty" aria-busy="true">Loading the conversation…</p>;
  const { conversation: c } = thread;
  const name = contactName(c.contact);
  const closed = c.status === 'CLOSED';
  return (
    <section class="thread" aria-labelledby="thread-title">
      <header class="thread-head">
        <div>
          <h2 id="thread-title">{c.contact.phoneNumber}{name && <span class="name"> {name}</span>}</h2>
          <p class="meta">{c.group.name} · via {c.sender.value} · {closed ? 'Closed' : 'Open'}</p>
        </div>
        <button type="button" class="secondary" onClick={() => void state.setStatus(closed ? 'OPEN' : 'CLOSED')}>
          {closed ? 'Reopen conversation' : 'Close conversation'}
        </button>
      </header>
      {thread.earlier.hasNextPage && <button type="button" class="secondary earlier" onClick={state.loadEarlier}>Show earlier messages</button>}
      <div class="messages" role="log" aria-label="Messages">
        <ol ref={logRef}>
          {thread.messages.map((m) => <MessageItem key={m.id} message={m} />)}
        </ol>
      </div>
      <ReplyBox
        key={c.id}
        refusal={state.refusal}
        disabledNote={thread.optedOut ? `${c.contact.phoneNumber} has opted out of ${c.group.name}: replies cannot be sent until they opt in again (for example by texting START).` : null}
        onSend={state.send}
      />
    </section>
  );
}
