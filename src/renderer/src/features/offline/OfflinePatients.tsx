// On the patients screen while the server cannot be reached: says so, and lists the patients whose
// records are on this computer, each opening that patient's documents.
import { useEffect } from 'react';
import { useSession } from '../session/useSession.js';
import { useNavigation } from '../shell/navigation.js';
import { patientPins, useOffline } from './store.js';

export function OfflinePatients() {
  const offline = useSession((s) => (s.session?.signedIn ? s.session.offline : false));
  // Online, nothing here is shown, so main is not asked.
  useEffect(() => (offline ? useOffline.getState().connect() : undefined), [offline]);
  const status = useOffline((s) => s.status);
  const loadError = useOffline((s) => s.loadError);
  if (!offline) return null;
  const pins = patientPins(status);

  return (
    <section className="card notice notice-warning offline-patients" aria-label="Offline">
      {!status ? (
        <p>You are offline. {loadError ?? 'Looking for the patients available offline…'}</p>
      ) : pins.length === 0 ? (
        <p>You are offline, and no patient is available offline on this computer.</p>
      ) : (
        <>
          <p>You are offline. These patients are available offline:</p>
          <ul className="patient-list" aria-label="Available offline">
            {pins.map((pin) => (
              <li key={pin.id}>
                <button
                  type="button"
                  className="patient-row"
                  onClick={() =>
                    useNavigation
                      .getState()
                      .go({ screen: 'patient', patientId: pin.target.patientId })
                  }
                >
                  {pin.label}
                </button>
              </li>
            ))}
          </ul>
        </>
      )}
    </section>
  );
}
