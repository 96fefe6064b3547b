import { useState } from 'preact/hooks';
import { KeyRejected, request } from './api';
import type { InboxGroup } from './model';
import { VIEWER } from './queries';

export interface Viewer {
  account: { id: string; name: string };
  groups: InboxGroup[];
}

/** The key is checked with one query before it is kept: a bad key is told at once. */
export async function loadViewer(key: string): Promise<Viewer> {
  const data = await request<{ viewer: { id: string; name: string }; subscriptionGroups: InboxGroup[] }>(key, VIEWER);
  return { account: data.viewer, groups: data.subscriptionGroups };
}

export function SignIn(props: { notice: string | null; onSignIn(key: string, viewer: Viewer): void }) {
  const [key, setKey] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: Event) => {
    event.preventDefault();
    const trimmed = key.trim();
    if (!trimmed) {
      setError('Enter an API key.');
      return;
    }
    setBusy(true);
    setError(null);
    try {
      props.onSignIn(trimmed, await loadViewer(trimmed));
    } catch (failure) {
      setError(failure instanceof KeyRejected ? 'That API key was not accepted. Check it and try again.' : `Could not sign in: ${(failure as Error).message}`);
      setBusy(false);
    }
  };

  return (
    <main class="sign-in">
      <form onSubmit={submit} aria-labelledby="sign-in-title">
        <h1 id="sign-in-title">Switchboard inbox</h1>
        {props.notice && <p class="notice">{props.notice}</p>}
        <label for="api-key">API key</label>
        <input id="api-key" type="password" autoComplete="off" spellcheck={false} value={key} onInput={(e) => setKey(e.currentTarget.value)} aria-describedby="api-key-help" aria-invalid={error ? true : undefined} />
        <p id="api-key-help" class="hint">The key is kept in this tab only, until you sign out or close it.</p>
        {error && <p class="error" role="alert">{error}</p>}
        <button type="submit" disabled={busy}>Sign in</button>
      </form>
    </main>
  );
}
