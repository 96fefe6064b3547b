import { useState } from 'preact/hooks';
import { countSegments, describeCount } from './segments';

/** The answer box: Enter sends, Shift+Enter breaks the line; the counter counts as the carrier bills. */
export function ReplyBox(props: { disabledNote: string | null; refusal: string | null; onSend(body: string): Promise<boolean> }) {
  const [body, setBody] = useState('');
  const count = countSegments(body);
  const disabled = props.disabledNote !== null;

  const send = async () => {
    if (disabled || !body.trim()) return;
    const sent = body;
    setBody('');
    // A refused message goes back into the box, for the agent to change or drop.
    if (!(await props.onSend(sent))) setBody((typed) => typed || sent);
  };

  return (
    <form class="reply" onSubmit={(e) => { e.preventDefault(); void send(); }}>
      {props.disabledNote && <p class="note" id="reply-note">{props.disabledNote}</p>}
      {props.refusal && <p class="error" role="alert">{props.refusal}</p>}
      <textarea
        aria-label="Reply"
        aria-describedby={disabled ? 'reply-note' : 'reply-count'}
        rows={3}
        value={body}
        disabled={disabled}
        placeholder={disabled ? '' : 'Write a reply. Enter sends, Shift+Enter starts a new line.'}
        onInput={(e) => setBody(e.currentTarget.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
            e.preventDefault();
            void send();
          }
        }}
      />
      <div class="reply-actions">
        <span id="reply-count" class="counter">{describeCount(count)}</span>
        <button type="submit" disabled={disabled || !body.trim()}>Send</button>
      </div>
    </form>
  );
}
