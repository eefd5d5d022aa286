// The bar across the top: the screens a user moves between, who is signed in, and signing out.
// Destinations are links (they go somewhere); Sign out is a button (it does something). Each has a
// keyboard shortcut, Ctrl+1 to Ctrl+4, which the shell listens for.
import type { MouseEvent } from 'react';
import type { SignedInState } from '../../../../shared/ipc/contract.js';
import { SignOutButton } from '../offline/SignOutButton.js';
import { useSession } from '../session/useSession.js';
import { NAV_ITEMS, isCurrent } from './nav-items.js';
import { useNavigation } from './navigation.js';

export function NavBar({ session }: { session: SignedInState }) {
  const route = useNavigation((s) => s.route);
  const signOutError = useSession((s) => s.signOutError);

  const follow = (event: MouseEvent, go: () => void) => {
    event.preventDefault();
    go();
  };

  return (
    <header className="top-bar">
      <span className="brand" aria-hidden="true">
        Medaius
      </span>
      <nav aria-label="Main">
        <ul className="nav-list">
          {NAV_ITEMS.map((item) => (
            <li key={item.screen}>
              <a
                href={`#${item.screen}`}
                className="nav-link"
                aria-current={isCurrent(item.screen, route) ? 'page' : undefined}
                aria-keyshortcuts={`Control+${item.shortcut}`}
                onClick={(e) =>
                  follow(e, () => useNavigation.getState().go({ screen: item.screen }))
                }
              >
                {item.label}
              </a>
            </li>
          ))}
        </ul>
      </nav>
      <div className="user-box">
        <span className="user-name" title={session.user.email}>
          {session.user.name}
          <span className="muted"> · {session.user.organization.name}</span>
        </span>
        <SignOutButton />
        {signOutError && (
          <span role="alert" className="error-text">
            {signOutError}
          </span>
        )}
      </div>
    </header>
  );
}
