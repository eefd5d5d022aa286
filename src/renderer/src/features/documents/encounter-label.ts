// How an encounter is named in lists and pickers: its date, type and reason.
import type { Encounter } from '../../../../shared/api/schemas.js';
import { formatDate } from '../../lib/format.js';

export function encounterLabel(encounter: Encounter): string {
  const reason = encounter.reason ? ` – ${encounter.reason}` : '';
  return `${formatDate(encounter.startedAt)} · ${encounter.type}${reason}`;
}
