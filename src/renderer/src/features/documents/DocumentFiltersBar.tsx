// Filters (category, encounter, date range, title words), sort, and the gallery/list switch.
// Every control applies as it changes; the title filter needs no Enter.
import type { Encounter } from '../../../../shared/api/schemas.js';
import { CATEGORIES, type Category } from '../../../../shared/domain.js';
import { categoryLabel } from '../../lib/format.js';
import { NO_ENCOUNTER, SORTS, hasFilters, type SortOrder } from './document-order.js';
import { encounterLabel } from './encounter-label.js';
import { useDocuments } from './useDocuments.js';

export function DocumentFiltersBar({ encounters }: { encounters: readonly Encounter[] }) {
  const filters = useDocuments((s) => s.filters);
  const sort = useDocuments((s) => s.sort);
  const view = useDocuments((s) => s.view);
  const { setFilters, clearFilters, setSort, setView } = useDocuments.getState();
  const badRange = filters.from !== '' && filters.to !== '' && filters.from > filters.to;

  return (
    <div className="toolbar" role="group" aria-label="Filter and sort documents">
      <label>
        Title contains
        <input
          type="search"
          value={filters.text}
          onChange={(e) => setFilters({ text: e.target.value })}
        />
      </label>
      <label>
        Category
        <select
          value={filters.category}
          onChange={(e) => setFilters({ category: e.target.value as Category | '' })}
        >
          <option value="">All categories</option>
          {CATEGORIES.map((c) => (
            <option key={c} value={c}>
              {categoryLabel(c)}
            </option>
          ))}
        </select>
      </label>
      <label>
        Encounter
        <select
          value={filters.encounterId}
          onChange={(e) => setFilters({ encounterId: e.target.value })}
        >
          <option value="">All encounters</option>
          <option value={NO_ENCOUNTER}>No encounter</option>
          {encounters.map((e) => (
            <option key={e.id} value={e.id}>
              {encounterLabel(e)}
            </option>
          ))}
        </select>
      </label>
      <label>
        From
        <input
          type="date"
          value={filters.from}
          aria-invalid={badRange}
          onChange={(e) => setFilters({ from: e.target.value })}
        />
      </label>
      <label>
        To
        <input
          type="date"
          value={filters.to}
          aria-invalid={badRange}
          onChange={(e) => setFilters({ to: e.target.value })}
        />
      </label>
      {hasFilters(filters) && (
        <button type="button" onClick={clearFilters}>
          Clear filters
        </button>
      )}
      <label>
        Sort by
        <select value={sort} onChange={(e) => setSort(e.target.value as SortOrder)}>
          {Object.entries(SORTS).map(([value, label]) => (
            <option key={value} value={value}>
              {label}
            </option>
          ))}
        </select>
      </label>
      <div className="view-switch" role="group" aria-label="View">
        <button type="button" aria-pressed={view === 'gallery'} onClick={() => setView('gallery')}>
          Gallery view
        </button>
        <button type="button" aria-pressed={view === 'list'} onClick={() => setView('list')}>
          List view
        </button>
      </div>
      {badRange && (
        <p role="alert" className="error-text">
          The “From” date is after the “To” date, so nothing can match.
        </p>
      )}
    </div>
  );
}
