// Settings: the server this app talks to, hot folders watched for new files, scanner defaults,
// how many files upload at once, the cache size, and how the sign-in is stored on this computer.
// Fields are checked as typed with the schemas main uses; Save sends only what changed.
import { useEffect, useId, useState, type FormEvent, type ReactNode } from 'react';
import type { ApiHealth } from '../../../../shared/ipc/contract.js';
import {
  CACHE_SIZE_MB,
  MAX_HOT_FOLDERS,
  SCAN_MODES,
  SCAN_RESOLUTION_DPI,
  UPLOAD_CONCURRENCY,
} from '../../../../shared/ipc/settings.js';
import { messageOf } from '../../lib/errors.js';
import { OfflineCopiesSection } from '../offline/OfflineCopiesSection.js';
import { useSession } from '../session/useSession.js';
import { checkDraft, draftOf, type SettingsDraft } from './settings-form.js';
import { useSettings } from './useSettings.js';

export function SettingsScreen() {
  const status = useSettings((s) => s.status);
  const settings = useSettings((s) => s.settings);
  const loadError = useSettings((s) => s.loadError);

  useEffect(() => useSettings.getState().connect(), []);

  return (
    <div className="screen settings-screen">
      <h1>Settings</h1>
      <SecretStorageNotice />
      {status === 'failed' && (
        <p role="alert" className="notice notice-error">
          {loadError}
        </p>
      )}
      {settings ? (
        <SettingsForm key={JSON.stringify(settings)} />
      ) : (
        status !== 'failed' && <p className="muted">Loading settings…</p>
      )}
      <OfflineCopiesSection />
    </div>
  );
}

function SettingsForm() {
  const settings = useSettings((s) => s.settings);
  const saving = useSettings((s) => s.saving);
  const saveError = useSettings((s) => s.saveError);
  const serverUrl = useSession((s) => s.session?.serverUrl ?? '');
  const [draft, setDraft] = useState<SettingsDraft | null>(() =>
    settings ? draftOf(settings) : null,
  );
  const saved = useSettings((s) => s.saved);
  if (!settings || !draft) return null;

  const { errors, patch } = checkDraft(draft, settings);
  const dirty = JSON.stringify(draft) !== JSON.stringify(draftOf(settings));
  const change = (next: SettingsDraft) => {
    setDraft(next);
    useSettings.getState().edited();
  };

  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!patch) return;
    void useSettings.getState().save(patch);
  };

  return (
    <form className="settings-form" onSubmit={submit} aria-label="Settings" noValidate>
      <fieldset className="card">
        <legend>Server</legend>
        <Field label="Server address" hint="Sign out to connect to another server.">
          {(id, describedBy) => (
            <input id={id} aria-describedby={describedBy} value={serverUrl} readOnly />
          )}
        </Field>
        <ConnectionCheck />
      </fieldset>

      <fieldset className="card">
        <legend>Hot folders</legend>
        <p className="muted">
          Files saved into these folders appear in the Inbox by themselves, and are then moved to
          the processed folder inside.
        </p>
        {draft.hotFolders.length === 0 ? (
          <p className="muted">No hot folders.</p>
        ) : (
          <ul className="hot-folders">
            {draft.hotFolders.map((folder, i) => {
              const update = (value: Partial<typeof folder>) =>
                change({
                  ...draft,
                  hotFolders: draft.hotFolders.map((f, j) => (j === i ? { ...f, ...value } : f)),
                });
              return (
                <li key={i} className="hot-folder">
                  <Field label={`Hot folder ${i + 1} path`} error={errors[`hotFolders.${i}.path`]}>
                    {(id, describedBy) => (
                      <input
                        id={id}
                        aria-describedby={describedBy}
                        aria-invalid={Boolean(errors[`hotFolders.${i}.path`])}
                        value={folder.path}
                        spellCheck={false}
                        placeholder="/home/scans"
                        onChange={(e) => update({ path: e.target.value })}
                      />
                    )}
                  </Field>
                  <Field
                    label={`Hot folder ${i + 1} processed subfolder`}
                    error={errors[`hotFolders.${i}.processedSubfolder`]}
                  >
                    {(id, describedBy) => (
                      <input
                        id={id}
                        aria-describedby={describedBy}
                        aria-invalid={Boolean(errors[`hotFolders.${i}.processedSubfolder`])}
                        value={folder.processedSubfolder}
                        spellCheck={false}
                        onChange={(e) => update({ processedSubfolder: e.target.value })}
                      />
                    )}
                  </Field>
                  <button
                    type="button"
                    aria-label={`Remove hot folder ${i + 1}`}
                    onClick={() =>
                      change({ ...draft, hotFolders: draft.hotFolders.filter((_, j) => j !== i) })
                    }
                  >
                    Remove
                  </button>
                </li>
              );
            })}
          </ul>
        )}
        <FieldError error={errors.hotFolders} />
        <button
          type="button"
          disabled={draft.hotFolders.length >= MAX_HOT_FOLDERS}
          onClick={() =>
            change({
              ...draft,
              hotFolders: [...draft.hotFolders, { path: '', processedSubfolder: 'processed' }],
            })
          }
        >
          Add hot folder
        </button>
      </fieldset>

      <fieldset className="card">
        <legend>Scanner defaults</legend>
        <Field
          label="Scanner device"
          hint="The SANE device name, e.g. test:0. Leave empty to use the first scanner found."
        >
          {(id, describedBy) => (
            <input
              id={id}
              aria-describedby={describedBy}
              value={draft.scanner.device}
              spellCheck={false}
              onChange={(e) =>
                change({ ...draft, scanner: { ...draft.scanner, device: e.target.value } })
              }
            />
          )}
        </Field>
        <Field label="Paper source" error={errors['scanner.source']}>
          {(id, describedBy) => (
            <input
              id={id}
              aria-describedby={describedBy}
              aria-invalid={Boolean(errors['scanner.source'])}
              value={draft.scanner.source}
              onChange={(e) =>
                change({ ...draft, scanner: { ...draft.scanner, source: e.target.value } })
              }
            />
          )}
        </Field>
        <Field label="Scan mode">
          {(id) => (
            <select
              id={id}
              value={draft.scanner.mode}
              onChange={(e) =>
                change({
                  ...draft,
                  scanner: {
                    ...draft.scanner,
                    mode: e.target.value as SettingsDraft['scanner']['mode'],
                  },
                })
              }
            >
              {SCAN_MODES.map((mode) => (
                <option key={mode} value={mode}>
                  {mode}
                </option>
              ))}
            </select>
          )}
        </Field>
        <NumberField
          label="Resolution (dpi)"
          value={draft.scanner.resolution}
          min={SCAN_RESOLUTION_DPI.min}
          max={SCAN_RESOLUTION_DPI.max}
          error={errors['scanner.resolution']}
          onChange={(resolution) => change({ ...draft, scanner: { ...draft.scanner, resolution } })}
        />
      </fieldset>

      <fieldset className="card">
        <legend>Uploads and cache</legend>
        <NumberField
          label="Files uploaded at the same time"
          value={draft.uploadConcurrency}
          min={UPLOAD_CONCURRENCY.min}
          max={UPLOAD_CONCURRENCY.max}
          error={errors.uploadConcurrency}
          onChange={(uploadConcurrency) => change({ ...draft, uploadConcurrency })}
        />
        <NumberField
          label="Cache size (MB)"
          hint="Documents opened recently are kept on this computer up to this size."
          value={draft.cacheSizeMb}
          min={CACHE_SIZE_MB.min}
          max={CACHE_SIZE_MB.max}
          error={errors.cacheSizeMb}
          onChange={(cacheSizeMb) => change({ ...draft, cacheSizeMb })}
        />
      </fieldset>

      {saveError && (
        <p role="alert" className="notice notice-error">
          {saveError}
        </p>
      )}
      <p role="status" className="muted">
        {saved && !dirty ? 'Settings saved.' : ''}
      </p>
      <div className="button-row">
        <button type="submit" className="primary" disabled={!patch || saving}>
          {saving ? 'Saving…' : 'Save settings'}
        </button>
        <button type="button" disabled={!dirty || saving} onClick={() => change(draftOf(settings))}>
          Discard changes
        </button>
      </div>
    </form>
  );
}

function Field({
  label,
  hint,
  error,
  children,
}: {
  label: string;
  hint?: string;
  error?: string | undefined;
  children: (id: string, describedBy: string | undefined) => ReactNode;
}) {
  const id = useId();
  const describedBy = [hint && `${id}-hint`, error && `${id}-error`].filter(Boolean).join(' ');
  return (
    <div className="field">
      <label htmlFor={id}>{label}</label>
      {children(id, describedBy || undefined)}
      {hint && (
        <span id={`${id}-hint`} className="muted hint">
          {hint}
        </span>
      )}
      {error && (
        <span id={`${id}-error`} className="error-text">
          {error}
        </span>
      )}
    </div>
  );
}

function FieldError({ error }: { error: string | undefined }) {
  return error ? <p className="error-text">{error}</p> : null;
}

function NumberField(props: {
  label: string;
  hint?: string;
  value: string;
  min: number;
  max: number;
  error: string | undefined;
  onChange(value: string): void;
}) {
  return (
    <Field label={props.label} hint={props.hint} error={props.error}>
      {(id, describedBy) => (
        <input
          id={id}
          type="number"
          inputMode="numeric"
          min={props.min}
          max={props.max}
          step={1}
          aria-describedby={describedBy}
          aria-invalid={Boolean(props.error)}
          value={props.value}
          onChange={(e) => props.onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

function ConnectionCheck() {
  const [health, setHealth] = useState<
    ApiHealth | { state: 'checking' } | { state: 'error'; reason: string } | null
  >(null);
  const check = () => {
    setHealth({ state: 'checking' });
    window.api
      .health()
      .then(setHealth, (error: unknown) => setHealth({ state: 'error', reason: messageOf(error) }));
  };
  return (
    <div className="connection-check">
      <button type="button" onClick={check} disabled={health?.state === 'checking'}>
        Test connection
      </button>
      <p role="status" className={health ? `status status-${health.state}` : 'status'}>
        {health?.state === 'checking' && 'Checking the connection…'}
        {health?.state === 'connected' &&
          `Connected to ${health.baseUrl} (server version ${health.version}).`}
        {health?.state === 'unreachable' &&
          `Cannot reach ${health.baseUrl}: ${health.reason}. Check that the server is running and reachable from this computer.`}
        {health?.state === 'error' && `The connection could not be checked: ${health.reason}`}
      </p>
    </div>
  );
}

/** How the sign-in is stored; a warning when it is not protected by the operating system. */
function SecretStorageNotice() {
  const warning = useSession((s) => s.secretWarning);
  if (!warning) return null;
  return (
    <section className="card notice notice-warning" aria-labelledby="secret-heading">
      <h2 id="secret-heading">Sign-in storage</h2>
      <p>{warning}</p>
    </section>
  );
}
