// How dates, sizes and names read on screen. One place, so every screen says them alike.

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeZone: 'UTC' });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, {
  dateStyle: 'medium',
  timeStyle: 'short',
});

/** A calendar date (`yyyy-mm-dd`), which has no time zone: read as UTC so it never shifts a day. */
export function formatDate(isoDate: string | null | undefined): string {
  if (!isoDate) return '—';
  const date = new Date(`${isoDate.slice(0, 10)}T00:00:00Z`);
  return Number.isNaN(date.getTime()) ? isoDate : dateFormat.format(date);
}

/** An instant (ISO-8601 with time), in the user's own time zone. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : dateTimeFormat.format(date);
}

const UNITS = ['bytes', 'KB', 'MB', 'GB', 'TB'] as const;

export function formatBytes(bytes: number): string {
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < UNITS.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return unit === 0
    ? `${value} ${UNITS[0]}`
    : `${value.toFixed(value < 10 ? 1 : 0)} ${UNITS[unit]}`;
}

export function formatCount(n: number, one: string, many: string): string {
  return `${n.toLocaleString()} ${n === 1 ? one : many}`;
}

/** "Family, Given" as clinics list patients. */
export function patientName(p: { givenName: string; familyName: string }): string {
  return [p.familyName, p.givenName].filter(Boolean).join(', ') || 'Unnamed patient';
}

const CATEGORY_LABELS: Record<string, string> = {
  lab: 'Lab',
  imaging: 'Imaging',
  'clinical-note': 'Clinical note',
  consent: 'Consent',
  referral: 'Referral',
  insurance: 'Insurance',
  photo: 'Photo',
  other: 'Other',
};

export function categoryLabel(category: string): string {
  return CATEGORY_LABELS[category] ?? category;
}
