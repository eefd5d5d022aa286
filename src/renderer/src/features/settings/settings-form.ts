// The settings form's draft, as typed (numbers as text), and its check against the same schemas
// main stores the settings with: each problem is keyed by the field it belongs to.
import type { SCAN_MODES } from '../../../../shared/ipc/settings.js';
import {
  SETTING_SCHEMAS,
  type Settings,
  type SettingsPatch,
} from '../../../../shared/ipc/settings.js';

export interface SettingsDraft {
  hotFolders: { path: string; processedSubfolder: string }[];
  scanner: {
    device: string;
    source: string;
    mode: (typeof SCAN_MODES)[number];
    resolution: string;
  };
  uploadConcurrency: string;
  cacheSizeMb: string;
}

type EditableKey = Exclude<keyof Settings, 'serverUrl'>;
const EDITABLE: EditableKey[] = ['hotFolders', 'scanner', 'uploadConcurrency', 'cacheSizeMb'];

export function draftOf(settings: Settings): SettingsDraft {
  return {
    hotFolders: settings.hotFolders.map((f) => ({ ...f })),
    scanner: {
      device: settings.scanner.device ?? '',
      source: settings.scanner.source,
      mode: settings.scanner.mode,
      resolution: String(settings.scanner.resolution),
    },
    uploadConcurrency: String(settings.uploadConcurrency),
    cacheSizeMb: String(settings.cacheSizeMb),
  };
}

/** Problems by field: `hotFolders`, `hotFolders.0.path`, `scanner.resolution`, `cacheSizeMb`, … */
export type FieldErrors = Record<string, string>;

export interface CheckedDraft {
  errors: FieldErrors;
  /** the settings that differ from `current`; null when nothing does or there are errors */
  patch: SettingsPatch | null;
}

export function checkDraft(draft: SettingsDraft, current: Settings): CheckedDraft {
  const errors: FieldErrors = {};
  const values: Record<EditableKey, unknown> = {
    hotFolders: draft.hotFolders,
    scanner: {
      device: draft.scanner.device.trim() || null,
      source: draft.scanner.source,
      mode: draft.scanner.mode,
      resolution: wholeNumber(draft.scanner.resolution, 'scanner.resolution', errors),
    },
    uploadConcurrency: wholeNumber(draft.uploadConcurrency, 'uploadConcurrency', errors),
    cacheSizeMb: wholeNumber(draft.cacheSizeMb, 'cacheSizeMb', errors),
  };
  const patch: Record<string, unknown> = {};
  for (const key of EDITABLE) {
    const parsed = SETTING_SCHEMAS[key].safeParse(values[key]);
    if (!parsed.success) {
      for (const issue of parsed.error.issues) {
        const field = [key, ...issue.path.map(String)].join('.');
        errors[field] ??= issue.message;
      }
    } else if (JSON.stringify(parsed.data) !== JSON.stringify(current[key])) {
      patch[key] = parsed.data;
    }
  }
  const clean = Object.keys(errors).length === 0 && Object.keys(patch).length > 0;
  return { errors, patch: clean ? (patch as SettingsPatch) : null };
}

function wholeNumber(text: string, field: string, errors: FieldErrors): number | undefined {
  if (/^\s*\d+\s*$/.test(text)) return Number(text);
  errors[field] = 'Enter a whole number';
  return undefined;
}
