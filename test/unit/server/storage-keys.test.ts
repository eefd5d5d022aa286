// Storage keys as the product guide lays them out, and the keys no backend may accept.
import { describe, expect, it } from 'vitest';
import {
  assertSafeKey,
  documentKey,
  profileKey,
  thumbnailKey,
  UnsafeKeyError,
} from '../../../src/server/storage/keys.js';

const ORG = '5f0c9a64-3c1e-4a7b-9d1e-2b6f8a0c4d11';
const PATIENT = 'a3d2c1b0-9e8f-4a7b-8c6d-5e4f3a2b1c0d';
const FILE = '0b7e6f2a-1c3d-4e5f-8a9b-0c1d2e3f4a5b';

describe('storage keys', () => {
  it('files a document under its organization, patient and UTC month', () => {
    // 23:30 on 31 January in New York is already February in UTC.
    const when = new Date('2026-02-01T04:30:00Z');
    expect(documentKey(ORG, PATIENT, FILE, 'pdf', when)).toBe(
      `${ORG}/${PATIENT}/documents/2026/02/${FILE}.pdf`,
    );
  });

  it('puts the JPEG thumbnail beside the original', () => {
    const key = documentKey(ORG, PATIENT, FILE, 'dcm', new Date('2026-11-27T00:00:00Z'));
    expect(thumbnailKey(key)).toBe(`${ORG}/${PATIENT}/documents/2026/11/${FILE}_thumb.jpg`);
  });

  it('files profile photos by type and id', () => {
    expect(profileKey(ORG, 'practitioner', PATIENT, FILE, 'jpg')).toBe(
      `${ORG}/profiles/practitioner/${PATIENT}/${FILE}.jpg`,
    );
  });

  it('refuses ids and extensions that would make an unsafe key', () => {
    const date = new Date();
    expect(() => documentKey('..', PATIENT, FILE, 'pdf', date)).toThrow(UnsafeKeyError);
    expect(() => documentKey(ORG, 'a/b', FILE, 'pdf', date)).toThrow(UnsafeKeyError);
    expect(() => documentKey(ORG, PATIENT, 'not-a-uuid', 'pdf', date)).toThrow(/UUID/);
    expect(() => documentKey(ORG, PATIENT, FILE, 'PDF/../x', date)).toThrow(/extension/);
    expect(() => profileKey(ORG, 'patient', '', FILE, 'jpg')).toThrow(/an id in a key/);
  });

  it.each([
    ['', 'empty'],
    ['/abs/path.pdf', 'empty segment'],
    ['a//b.pdf', 'empty segment'],
    ['a/b/', 'empty segment'],
    ['a/../b.pdf', '".."'],
    ['..', '".."'],
    ['./a.pdf', '"."'],
    ['a\\..\\b.pdf', 'letters, digits'],
    ['a/b\u0000.pdf', 'letters, digits'],
    ['a/b\n.pdf', 'letters, digits'],
    ['a/ b.pdf', 'letters, digits'],
    ['a/.hidden', '".hidden"'],
    ['a/%2e%2e/b', 'letters, digits'],
    ['x'.repeat(1025), 'longer than 1024'],
  ])('refuses the key %j', (key, reason) => {
    expect(() => assertSafeKey(key)).toThrow(UnsafeKeyError);
    expect(() => assertSafeKey(key)).toThrow(reason);
  });

  it('accepts the keys it builds', () => {
    expect(() =>
      assertSafeKey(`${ORG}/${PATIENT}/documents/2026/11/${FILE}_thumb.jpg`),
    ).not.toThrow();
  });
});
