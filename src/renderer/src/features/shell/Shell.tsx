// The signed-in window: nav bar on top, the current screen, the upload status bar at the bottom,
// and the inbox's drop zone around all of it so files can be dropped anywhere. Which screen shows
// is the navigation store's route; each screen keeps its own state in its feature's store.
import { useEffect, useRef, type RefObject } from 'react';
import type { SignedInState } from '../../../../shared/ipc/contract.js';
import { DropZone } from '../inbox/DropZone.js';
import { InboxScreen } from '../inbox/InboxScreen.js';
import { PatientDocumentsScreen } from '../documents/PatientDocumentsScreen.js';
import { ConflictDialog } from '../offline/ConflictDialog.js';
import { PatientsScreen } from '../patients/PatientsScreen.js';
import { SettingsScreen } from '../settings/SettingsScreen.js';
import { Notices } from '../notices/Notices.js';
import { StatusBar } from '../uploads/StatusBar.js';
import { UploadQueueScreen } from '../uploads/UploadQueueScreen.js';
import { ViewerScreen } from '../viewer/ViewerScreen.js';
import { SecretWarning } from '../session/SecretWarning.js';
import { NavBar } from './NavBar.js';
import { shortcutTarget } from './nav-items.js';
import { useNavigation, type Route } from './navigation.js';

export function Shell({ session }: { session: SignedInState }) {
  const route = useNavigation((s) => s.route);
  const contentRef = useRef<HTMLElement>(null);
  useNavigationShortcuts();
  useFocusOnScreenChange(route, contentRef);

  return (
    <DropZone>
      <div className="app">
        <a href="#content" className="skip-link">
          Skip to content
        </a>
        <NavBar session={session} />
        <SecretWarning />
        <Notices />
        {session.offline && (
          <p role="status" className="banner banner-warning">
            {session.message ?? 'Offline: queued work is sent once the server answers again.'}
          </p>
        )}
        <main id="content" ref={contentRef} className="content" tabIndex={-1}>
          <Screen route={route} />
        </main>
        <StatusBar />
        <ConflictDialog />
      </div>
    </DropZone>
  );
}

function Screen({ route }: { route: Route }) {
  switch (route.screen) {
    case 'patients':
      return <PatientsScreen />;
    case 'patient':
      return <PatientDocumentsScreen key={route.patientId} patientId={route.patientId} />;
    case 'viewer':
      return (
        <ViewerScreen
          patientId={route.patientId}
          documentId={route.documentId}
          siblings={route.siblings}
        />
      );
    case 'inbox':
      return <InboxScreen />;
    case 'uploads':
      return <UploadQueueScreen />;
    case 'settings':
      return <SettingsScreen />;
  }
}

/** Ctrl+1..4 (Cmd on macOS) go to Patients, Inbox, Upload queue and Settings. */
function useNavigationShortcuts(): void {
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (!(event.ctrlKey || event.metaKey) || event.altKey || event.shiftKey) return;
      const screen = shortcutTarget(event.key);
      if (!screen) return;
      event.preventDefault();
      useNavigation.getState().go({ screen });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);
}

/**
 * After a move to another screen, focus goes to the new screen unless that screen already put it
 * somewhere (a search box, say); so keyboard and screen-reader users land on what they opened.
 */
function useFocusOnScreenChange(route: Route, contentRef: RefObject<HTMLElement | null>) {
  const first = useRef(true);
  useEffect(() => {
    if (first.current) {
      first.current = false;
      return;
    }
    const content = contentRef.current;
    if (!content || content.contains(document.activeElement)) return;
    const heading = content.querySelector<HTMLElement>('h1');
    if (heading) {
      heading.tabIndex = -1;
      heading.focus();
    } else {
      content.focus();
    }
  }, [route, contentRef]);
}
