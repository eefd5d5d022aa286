// The benchmark clinic: one organization, one user per role, 10,000 patients with three
// encounters each and 100 document references per patient spread over five years. Every value
// comes from a seeded generator, so SQLite and PostgreSQL hold identical rows and every run
// measures the same data. All names are invented; nothing here is PHI.
import {
  ROLES,
  type Category,
  type DocumentSource,
  type DocumentStatus,
  type Role,
} from '../../src/shared/domain.js';
import type { DocumentRow } from '../../src/server/repositories/documents.js';
import type { EncounterRow, PatientRow } from '../../src/server/repositories/patients.js';

export const PATIENTS = 10_000;
export const DOCUMENTS_PER_PATIENT = 100;
export const ENCOUNTERS_PER_PATIENT = 3;

/** Document dates run over five years from this day: 1,826 days, 2021 to 2025. */
const FIRST_DAY = Date.UTC(2021, 0, 1);
export const SPAN_DAYS = 1826;
/** Documents are filed up to this many days after their document date. */
const MAX_FILING_LAG_DAYS = 30;

/** Roughly what a clinic files: many lab results and notes, few photos. */
const CATEGORY_WEIGHTS: Record<Category, number> = {
  lab: 28,
  'clinical-note': 22,
  imaging: 12,
  insurance: 10,
  referral: 8,
  other: 8,
  consent: 6,
  photo: 6,
};

const SOURCE_WEIGHTS: Record<DocumentSource, number> = {
  scanner: 40,
  desktop: 25,
  'hot-folder': 10,
  fax: 10,
  portal: 8,
  integration: 5,
  api: 2,
};

const STATUS_WEIGHTS: Record<DocumentStatus, number> = {
  current: 95,
  superseded: 4,
  'entered-in-error': 1,
};

/** Share of documents soft-deleted, so the list's `deleted_at is null` filter has work to do. */
const DELETED_SHARE = 0.01;
/** Share of documents filed against one of the patient's encounters. */
const ENCOUNTER_SHARE = 0.3;

const GIVEN_NAMES = ['Ada', 'Alan', 'Grace', 'Edsger', 'Barbara', 'Donald', 'Margaret', 'Ken'];
const FAMILY_NAMES = ['Lovelace', 'Turing', 'Hopper', 'Dijkstra', 'Liskov', 'Knuth', 'Hamilton'];
const ENCOUNTER_TYPES = ['office visit', 'follow-up', 'telehealth', 'procedure'];

const HEX = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/**
 * A small, fast, seedable generator (sfc32, 128 bits of state): the same seeds give the same
 * clinic. Each patient gets its own generator seeded with (dataset seed, patient index), so
 * its rows do not depend on the order patients are generated in.
 */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d = 1;

  constructor(seed: number, stream = 0) {
    this.a = seed >>> 0;
    this.b = stream >>> 0;
    this.c = 0x9e3779b9;
    for (let i = 0; i < 15; i++) this.uint32();
  }

  uint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor((this.uint32() / 4294967296) * n);
  }

  chance(p: number): boolean {
    return this.uint32() / 4294967296 < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }

  hex(words: number): string {
    let s = '';
    for (let i = 0; i < words; i++) {
      const t = this.uint32();
      s += HEX[t >>> 24]! + HEX[(t >>> 16) & 255]! + HEX[(t >>> 8) & 255]! + HEX[t & 255]!;
    }
    return s;
  }

  /** A version 4 UUID, as the desktop client creates them. */
  uuid(): string {
    const h = this.hex(4);
    const variant = '89ab'[this.int(4)]!;
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
  }
}

/**
 * A draw by weight: the keys repeated as often as their weight, so a draw is one index.
 * Weights are small integers (percentages), so the table stays short.
 */
function weightedTable<K extends string>(weights: Record<K, number>): readonly K[] {
  return (Object.entries(weights) as [K, number][]).flatMap(([key, w]) => Array<K>(w).fill(key));
}

const CATEGORY_TABLE = weightedTable(CATEGORY_WEIGHTS);
const SOURCE_TABLE = weightedTable(SOURCE_WEIGHTS);
const STATUS_TABLE = weightedTable(STATUS_WEIGHTS);

/** Day strings (YYYY-MM-DD) from FIRST_DAY on, computed once instead of per row. */
const DAYS = Array.from({ length: SPAN_DAYS + MAX_FILING_LAG_DAYS + 1 }, (_, i) =>
  new Date(FIRST_DAY + i * 86400_000).toISOString().slice(0, 10),
);

export function dayString(offset: number): string {
  const day = DAYS[offset];
  if (!day) throw new RangeError(`day ${offset} is outside the benchmark's five years`);
  return day;
}

/** An ISO-8601 UTC instant at a random time of the given day. */
function timestamp(rng: Random, day: number): string {
  const s = rng.int(86400);
  const time = `${pad2(Math.floor(s / 3600))}:${pad2(Math.floor(s / 60) % 60)}:${pad2(s % 60)}`;
  return `${dayString(day)}T${time}.${String(rng.int(1000)).padStart(3, '0')}Z`;
}

export interface BenchUser {
  id: string;
  email: string;
  role: Role;
}

export interface Dataset {
  seed: number;
  organizationId: string;
  organizationName: string;
  users: Record<Role, BenchUser>;
  /** patient ids in generation order: patientRows(dataset, i) builds patient i */
  patientIds: string[];
}

export function planDataset(seed: number): Dataset {
  const rng = new Random(seed);
  const organizationId = rng.uuid();
  const users = {} as Record<Role, BenchUser>;
  for (const role of ROLES) users[role] = { id: rng.uuid(), email: `${role}@bench.test`, role };
  const patientIds = Array.from({ length: PATIENTS }, () => rng.uuid());
  return { seed, organizationId, organizationName: 'Benchmark Clinic', users, patientIds };
}

/** The rows of one patient: the patient, its encounters and its documents. */
export interface PatientRows {
  patient: PatientRow;
  encounters: EncounterRow[];
  documents: DocumentRow[];
}

export function patientRows(dataset: Dataset, index: number): PatientRows {
  const rng = new Random(dataset.seed, index + 1);
  const patientId = dataset.patientIds[index]!;
  const org = dataset.organizationId;
  const given = rng.pick(GIVEN_NAMES);
  const family = rng.pick(FAMILY_NAMES);
  const registered = rng.int(SPAN_DAYS);
  const patient: PatientRow = {
    id: patientId,
    organization_id: org,
    mrn: `BEN-${String(index + 1).padStart(6, '0')}`,
    given_name: given,
    family_name: family,
    search_name: `${family} ${given}`.toLowerCase(),
    birth_date: `${1930 + rng.int(90)}-${pad2(1 + rng.int(12))}-${pad2(1 + rng.int(28))}`,
    sex: rng.pick(['female', 'male', null]),
    created_at: timestamp(rng, registered),
  };
  const encounters: EncounterRow[] = Array.from({ length: ENCOUNTERS_PER_PATIENT }, () => ({
    id: rng.uuid(),
    organization_id: org,
    patient_id: patientId,
    started_at: timestamp(rng, rng.int(SPAN_DAYS)),
    type: rng.pick(ENCOUNTER_TYPES),
    reason: null,
    status: 'finished',
  }));
  const authors = [
    dataset.users.admin.id,
    dataset.users.clinician.id,
    dataset.users['front-desk'].id,
  ];
  const documents: DocumentRow[] = [];
  for (let d = 0; d < DOCUMENTS_PER_PATIENT; d++) {
    const id = rng.uuid();
    const category = rng.pick(CATEGORY_TABLE);
    const day = rng.int(SPAN_DAYS);
    const documentDate = dayString(day);
    const createdAt = timestamp(rng, day + rng.int(MAX_FILING_LAG_DAYS + 1));
    const deletedAt = rng.chance(DELETED_SHARE) ? createdAt : null;
    const image = category === 'photo' || category === 'imaging';
    const ext = image ? 'jpg' : 'pdf';
    const key = `${org}/${patientId}/documents/${createdAt.slice(0, 4)}/${createdAt.slice(5, 7)}/${id}.${ext}`;
    const thumbnailKey = key.replace(/\.\w+$/, '_thumb.jpg');
    documents.push({
      id,
      organization_id: org,
      patient_id: patientId,
      encounter_id: rng.chance(ENCOUNTER_SHARE) ? rng.pick(encounters).id : null,
      title: `${category} ${documentDate}`,
      category,
      content_type: image ? 'image/jpeg' : 'application/pdf',
      url: `local:///${key}`,
      file_size: 20_000 + rng.int(5_000_000),
      sha256: rng.hex(8),
      thumbnail_url: `local:///${thumbnailKey}`,
      status: rng.pick(STATUS_TABLE),
      document_date: documentDate,
      source: rng.pick(SOURCE_TABLE),
      created_by: rng.pick(authors),
      created_at: createdAt,
      updated_at: createdAt,
      deleted_at: deletedAt,
      deleted_by: deletedAt ? dataset.users.admin.id : null,
      storage_key: key,
      thumbnail_key: thumbnailKey,
      thumbnail_status: 'ready',
      file_name: `scan-${documentDate}-${d + 1}.${ext}`,
    });
  }
  return { patient, encounters, documents };
}

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}
