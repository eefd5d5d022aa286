// Which screen the window shows, as one small store every feature can read and change: the
// patient list, one patient's documents, the viewer, the inbox, the upload queue, or settings.
// Screens keep their own state in their own feature stores; this holds only where the user is.
import { create } from 'zustand';

export type Route =
  | { screen: 'patients' }
  | { screen: 'patient'; patientId: string }
  | {
      screen: 'viewer';
      patientId: string;
      documentId: string;
      /** the documents next/previous steps through, in the order the user saw them */
      siblings: readonly string[];
    }
  | { screen: 'inbox' }
  | { screen: 'uploads' }
  | { screen: 'settings' };

interface NavigationState {
  route: Route;
  /** where the user came from, for "Back" */
  history: Route[];
  go(route: Route): void;
  back(): void;
}

export const useNavigation = create<NavigationState>((set) => ({
  route: { screen: 'patients' },
  history: [],
  go: (route) => set((state) => ({ route, history: [...state.history, state.route].slice(-50) })),
  back: () =>
    set((state) =>
      state.history.length === 0
        ? state
        : { route: state.history[state.history.length - 1], history: state.history.slice(0, -1) },
    ),
}));
