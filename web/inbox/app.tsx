import { useCallback, useState } from 'preact/hooks';
import { InboxPage } from './inbox-page';
import { SignIn, type Viewer } from './sign-in';

// The key lives in sessionStorage: this tab only, gone when the tab is closed or on sign-out.
const KEY_ITEM = 'switchboard.inbox.apiKey';

interface Session {
  key: string;
  viewer: Viewer | null;
}

export function App() {
  const stored = sessionStorage.getItem(KEY_ITEM);
  const [session, setSession] = useState<Session | null>(stored ? { key: stored, viewer: null } : null);
  const [notice, setNotice] = useState<string | null>(null);

  const signOut = useCallback((why: string | null) => {
    sessionStorage.removeItem(KEY_ITEM);
    setNotice(why);
    setSession(null);
  }, []);

  if (!session) {
    return (
      <SignIn
        notice={notice}
        onSignIn={(key, viewer) => {
          sessionStorage.setItem(KEY_ITEM, key);
          setNotice(null);
          setSession({ key, viewer });
        }}
      />
    );
  }
  return <InboxPage apiKey={session.key} viewer={session.viewer} onSignOut={signOut} />;
}
