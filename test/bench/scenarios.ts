// The four ways the desktop client lists a patient's documents, each drawn afresh per request
// (a random patient of the 10,000, a random category, a random date window) so the load is
// not one cached row set. Also the repository filter DocumentService builds for each, so the
// benchmark can print the plan of exactly the SQL the endpoint runs.
import { CATEGORIES, type Category } from '../../src/shared/domain.js';
import type { DocumentFilter } from '../../src/server/repositories/documents.js';
import { dayString, PATIENTS, SPAN_DAYS, type Dataset, type Random } from './dataset.js';

/** The list endpoint's default page size (DocumentListQuery.limit). */
const PAGE_SIZE = 50;

export interface ListParams {
  patientId: string;
  category?: Category;
  from?: string;
  to?: string;
}

export interface Scenario {
  name: string;
  draw(rng: Random, dataset: Dataset): ListParams;
}

const patient = (rng: Random, dataset: Dataset) => dataset.patientIds[rng.int(PATIENTS)]!;

/** Three months to a year somewhere in the five years: 5–20 % of a patient's documents. */
function dateWindow(rng: Random): { from: string; to: string } {
  const span = 90 + rng.int(276);
  const start = rng.int(SPAN_DAYS - span);
  return { from: dayString(start), to: dayString(start + span) };
}

export const SCENARIOS: Scenario[] = [
  { name: 'patientId', draw: (rng, d) => ({ patientId: patient(rng, d) }) },
  {
    name: 'patientId + category',
    draw: (rng, d) => ({ patientId: patient(rng, d), category: rng.pick(CATEGORIES) }),
  },
  {
    name: 'patientId + from/to',
    draw: (rng, d) => ({ patientId: patient(rng, d), ...dateWindow(rng) }),
  },
  {
    name: 'patientId + category + from/to',
    draw: (rng, d) => ({
      patientId: patient(rng, d),
      category: rng.pick(CATEGORIES),
      ...dateWindow(rng),
    }),
  },
];

export function pathOf(params: ListParams): string {
  const query = new URLSearchParams(
    Object.entries(params).filter((e): e is [string, string] => e[1] !== undefined),
  );
  return `/api/v1/documents?${query}`;
}

/**
 * The filter DocumentService.list passes to the repository for these parameters, for a
 * clinician (who reads every category) in an organization without patient ACL. The service
 * asks for one row more than a page to learn whether there is a next one.
 */
export function filterOf(dataset: Dataset, params: ListParams): DocumentFilter {
  return {
    organizationId: dataset.organizationId,
    patientId: params.patientId,
    category: params.category,
    from: params.from,
    to: params.to,
    deleted: false,
    limit: PAGE_SIZE + 1,
  };
}
