// Find a patient by name or MRN, or pick one opened recently. Typing searches after a short
// pause (Enter searches at once); Down arrow moves from the search box into the results, and the
// arrows move through them.
import { useEffect, useRef, type KeyboardEvent, type Ref } from 'react';
import type { Patient } from '../../../../shared/api/schemas.js';
import { formatDate, patientName } from '../../lib/format.js';
import { OfflinePatients } from '../offline/OfflinePatients.js';
import { useSession } from '../session/useSession.js';
import { useNavigation } from '../shell/navigation.js';
import { usePatients } from './usePatients.js';

export function PatientsScreen() {
  const userId = useSession((s) => (s.session?.signedIn ? s.session.user.id : null));
  const query = usePatients((s) => s.query);
  const status = usePatients((s) => s.status);
  const results = usePatients((s) => s.results);
  const resultsFor = usePatients((s) => s.resultsFor);
  const nextCursor = usePatients((s) => s.nextCursor);
  const loadingMore = usePatients((s) => s.loadingMore);
  const error = usePatients((s) => s.error);
  const recent = usePatients((s) => s.recent);
  const resultsRef = useRef<HTMLUListElement>(null);

  useEffect(() => {
    if (userId) usePatients.getState().loadRecent(userId);
  }, [userId]);

  useEffect(() => {
    if (usePatients.getState().status === 'idle') void usePatients.getState().search();
  }, []);

  const onSearchKey = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      resultsRef.current?.querySelector<HTMLElement>('button')?.focus();
    } else if (event.key === 'Escape' && query) {
      usePatients.getState().setQuery('');
    }
  };

  return (
    <div className="screen patients-screen">
      <h1>Patients</h1>
      <OfflinePatients />
      <form
        role="search"
        aria-label="Patients"
        className="search-form"
        onSubmit={(e) => {
          e.preventDefault();
          void usePatients.getState().search();
        }}
      >
        <label htmlFor="patient-search">Search patients by name or MRN</label>
        <input
          id="patient-search"
          type="search"
          autoFocus
          autoComplete="off"
          spellCheck={false}
          value={query}
          placeholder="e.g. Smith or MRN-1042"
          onChange={(e) => usePatients.getState().setQuery(e.target.value)}
          onKeyDown={onSearchKey}
        />
      </form>

      <div className="patients-columns">
        <section aria-labelledby="results-heading" className="card">
          <h2 id="results-heading">
            {resultsFor ? `Results for “${resultsFor}”` : 'All patients'}
          </h2>
          <p role="status" className="muted">
            {status === 'loading'
              ? 'Searching…'
              : status === 'ready'
                ? results.length === 0
                  ? 'No patient matches. Check the spelling, or search by MRN.'
                  : `${results.length}${nextCursor ? '+' : ''} ${results.length === 1 ? 'patient' : 'patients'}`
                : ''}
          </p>
          {error && (
            <p role="alert" className="notice notice-error">
              {error}
            </p>
          )}
          <PatientList patients={results} listRef={resultsRef} label="Search results" />
          {nextCursor && (
            <button
              type="button"
              onClick={() => void usePatients.getState().loadMore()}
              disabled={loadingMore}
            >
              {loadingMore ? 'Loading…' : 'Load more patients'}
            </button>
          )}
        </section>

        <section aria-labelledby="recent-heading" className="card">
          <h2 id="recent-heading">Recent patients</h2>
          {recent.length === 0 ? (
            <p className="muted">Patients you open appear here.</p>
          ) : (
            <>
              <PatientList patients={recent} label="Recent patients" />
              <button
                type="button"
                className="link-button"
                onClick={() => usePatients.getState().clearRecent()}
              >
                Clear recent patients
              </button>
            </>
          )}
        </section>
      </div>
    </div>
  );
}

function PatientList({
  patients,
  label,
  listRef,
}: {
  patients: Patient[];
  label: string;
  listRef?: Ref<HTMLUListElement>;
}) {
  const onKey = (event: KeyboardEvent<HTMLUListElement>) => {
    if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
    const buttons = [...event.currentTarget.querySelectorAll<HTMLElement>('button')];
    const at = buttons.indexOf(document.activeElement as HTMLElement);
    if (at < 0) return;
    event.preventDefault();
    const next = at + (event.key === 'ArrowDown' ? 1 : -1);
    if (next >= 0 && next < buttons.length) buttons[next]?.focus();
    else if (next < 0) document.getElementById('patient-search')?.focus();
  };
  return (
    <ul className="patient-list" aria-label={label} ref={listRef} onKeyDown={onKey}>
      {patients.map((patient) => (
        <li key={patient.id}>
          <button type="button" className="patient-row" onClick={() => openPatient(patient)}>
            <span className="patient-name">{patientName(patient)}</span>
            <span className="muted">
              MRN {patient.mrn}
              {patient.birthDate ? ` · born ${formatDate(patient.birthDate)}` : ''}
            </span>
          </button>
        </li>
      ))}
    </ul>
  );
}

export function openPatient(patient: Patient): void {
  usePatients.getState().remember(patient);
  useNavigation.getState().go({ screen: 'patient', patientId: patient.id });
}
