// Finds the patient to file to by name or MRN: a combobox whose suggestions come from the API as
// the user types (arrow keys move through them, Enter picks, Escape closes).
import { useEffect, useId, useState, type KeyboardEvent } from 'react';
import type { Patient } from '../../../../shared/api/schemas.js';
import { formatDate, patientName } from '../../lib/format.js';
import { ingestApi } from './ingest-api.js';
import { messageOf } from '../../lib/errors.js';

const SEARCH_DELAY_MS = 250;

export function patientLabel(patient: Patient): string {
  const born = patient.birthDate ? `, born ${formatDate(patient.birthDate)}` : '';
  return `${patientName(patient)} (MRN ${patient.mrn}${born})`;
}

export function PatientPicker({
  patient,
  onChoose,
}: {
  patient: Patient | null;
  onChoose(patient: Patient | null): void;
}) {
  const id = useId();
  const [query, setQuery] = useState('');
  const [results, setResults] = useState<Patient[]>([]);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const [state, setState] = useState<'idle' | 'searching' | 'done' | 'failed'>('idle');
  const [failure, setFailure] = useState<string | null>(null);

  useEffect(() => {
    const q = query.trim();
    if (!q) {
      setResults([]);
      setState('idle');
      return;
    }
    let current = true;
    const timer = setTimeout(() => {
      setState('searching');
      ingestApi()
        .searchPatients({ q, limit: 10 })
        .then(
          ({ items }) => {
            if (!current) return;
            setResults(items);
            setActive(0);
            setState('done');
          },
          (error: unknown) => {
            if (!current) return;
            setFailure(`Patients could not be searched: ${messageOf(error)}`);
            setState('failed');
          },
        );
    }, SEARCH_DELAY_MS);
    return () => {
      current = false;
      clearTimeout(timer);
    };
  }, [query]);

  if (patient) {
    return (
      <div className="patient-chosen">
        <span>
          Patient: <strong>{patientLabel(patient)}</strong>
        </span>
        <button type="button" onClick={() => onChoose(null)}>
          Change patient
        </button>
      </div>
    );
  }

  const choose = (chosen: Patient | undefined) => {
    if (!chosen) return;
    onChoose(chosen);
    setQuery('');
    setOpen(false);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setOpen(true);
      setActive((n) => Math.min(results.length - 1, n + 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((n) => Math.max(0, n - 1));
    } else if (event.key === 'Enter' && open && results[active]) {
      event.preventDefault();
      choose(results[active]);
    } else if (event.key === 'Escape') {
      setOpen(false);
    }
  };

  const listId = `${id}-list`;
  const showList = open && results.length > 0;
  return (
    <div className="patient-picker">
      <label htmlFor={`${id}-input`}>Patient</label>
      <input
        id={`${id}-input`}
        role="combobox"
        aria-autocomplete="list"
        aria-required="true"
        aria-expanded={showList}
        aria-controls={listId}
        aria-activedescendant={showList ? `${id}-option-${active}` : undefined}
        placeholder="Name or MRN"
        autoComplete="off"
        value={query}
        onChange={(e) => {
          setQuery(e.target.value);
          setOpen(true);
          setFailure(null);
        }}
        onKeyDown={onKeyDown}
      />
      <ul id={listId} role="listbox" aria-label="Matching patients" hidden={!showList}>
        {results.map((p, n) => (
          <li
            key={p.id}
            id={`${id}-option-${n}`}
            role="option"
            aria-selected={n === active}
            className={n === active ? 'picker-option picker-option-active' : 'picker-option'}
            onMouseDown={(e) => e.preventDefault()}
            onClick={() => choose(p)}
          >
            {patientLabel(p)}
          </li>
        ))}
      </ul>
      <p className="muted picker-status" aria-live="polite">
        {state === 'searching' && 'Searching…'}
        {state === 'done' && results.length === 0 && `No patient matches "${query.trim()}".`}
        {state === 'failed' && failure}
      </p>
    </div>
  );
}
