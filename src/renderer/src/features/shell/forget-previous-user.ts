// When a different user signs in on this computer, what the previous one looked at (search
// results, a patient's documents, the screen they were on) is cleared before anything renders.
// The same user signing in again, after an expired session, finds everything as it was.
import { useDocuments } from '../documents/useDocuments.js';
import { usePatients } from '../patients/usePatients.js';
import { useSession } from '../session/useSession.js';
import { useNavigation } from './navigation.js';

/** Starts watching the session; returns the function that stops it. */
export function forgetPreviousUserOnChange(): () => void {
  let lastUserId: string | null = null;
  return useSession.subscribe(({ session }) => {
    if (!session?.signedIn) return;
    const userId = session.user.id;
    if (lastUserId !== null && lastUserId !== userId) {
      usePatients.getState().reset();
      useDocuments.getState().reset();
      useNavigation.setState({ route: { screen: 'patients' }, history: [] });
    }
    lastUserId = userId;
  });
}
