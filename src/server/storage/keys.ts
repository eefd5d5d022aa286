// Storage keys: where each kind of file lives in a bucket or under the local objects directory,
// and the one check every backend applies before a key touches a path or a URL.

/** Keys are built from ids and extensions only, so they never need escaping anywhere. */
const SAFE_SEGMENT = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const EXTENSION = /^[a-z0-9]{1,10}$/;
/** S3's own limit on key length, in UTF-8 bytes; safe keys are ASCII. */
const MAX_KEY_LENGTH = 1024;

export type ProfileType = 'patient' | 'practitioner';

/** A key that could escape the storage root or be read differently by another system. */
export class UnsafeKeyError extends Error {
  override name = 'UnsafeKeyError';
  constructor(
    readonly key: string,
    reason: string,
  ) {
    super(`Refusing storage key ${JSON.stringify(key.slice(0, 200))}: ${reason}.`);
  }
}

/**
 * Accepts only keys made of `/`-separated segments of letters, digits, `.`, `_` and `-` that
 * start with a letter or digit: no `..`, no leading or doubled `/`, no backslash, no control
 * characters. Local storage maps keys to paths, so this is what keeps it inside its root.
 */
export function assertSafeKey(key: string): void {
  if (key.length === 0) throw new UnsafeKeyError(key, 'it is empty');
  if (key.length > MAX_KEY_LENGTH) {
    throw new UnsafeKeyError(key, `it is longer than ${MAX_KEY_LENGTH} characters`);
  }
  const bad = key.split('/').find((segment) => !SAFE_SEGMENT.test(segment));
  if (bad !== undefined) {
    throw new UnsafeKeyError(
      key,
      bad === ''
        ? 'it has an empty segment (a leading, trailing or doubled "/")'
        : `segment ${JSON.stringify(bad)} may only hold letters, digits, ".", "_" and "-" and must start with a letter or digit`,
    );
  }
}

/** `{org}/{patient}/documents/{yyyy}/{mm}/{uuid}.{ext}`, the month of `date` in UTC. */
export function documentKey(
  organizationId: string,
  patientId: string,
  uuid: string,
  ext: string,
  date: Date,
): string {
  const yyyy = String(date.getUTCFullYear()).padStart(4, '0');
  const mm = String(date.getUTCMonth() + 1).padStart(2, '0');
  return `${segment(organizationId)}/${segment(patientId)}/documents/${yyyy}/${mm}/${fileSegment(uuid, ext)}`;
}

/** The JPEG thumbnail beside an original: `…/{uuid}.pdf` → `…/{uuid}_thumb.jpg`. */
export function thumbnailKey(key: string): string {
  assertSafeKey(key);
  const match = /^(.*\/)?([^/]+)\.[^./]+$/.exec(key);
  if (!match) throw new UnsafeKeyError(key, 'it has no extension to put "_thumb" before');
  return `${match[1] ?? ''}${match[2]}_thumb.jpg`;
}

/** `{org}/profiles/{type}/{id}/{uuid}.{ext}` for profile photos. */
export function profileKey(
  organizationId: string,
  type: ProfileType,
  id: string,
  uuid: string,
  ext: string,
): string {
  return `${segment(organizationId)}/profiles/${type}/${segment(id)}/${fileSegment(uuid, ext)}`;
}

function fileSegment(uuid: string, ext: string): string {
  if (!UUID.test(uuid)) throw new UnsafeKeyError(uuid, 'the file id must be a UUID');
  if (!EXTENSION.test(ext)) {
    throw new UnsafeKeyError(ext, 'the extension must be 1–10 lowercase letters or digits');
  }
  return `${uuid.toLowerCase()}.${ext}`;
}

/** An id that must stay one segment: "a/b" would file the object somewhere else. */
function segment(id: string): string {
  if (!SAFE_SEGMENT.test(id)) {
    throw new UnsafeKeyError(
      id,
      'an id in a key may only hold letters, digits, ".", "_" and "-" and must start with a letter or digit',
    );
  }
  return id;
}
