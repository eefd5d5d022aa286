// Hot-path queries compiled once per shape instead of on every request. Building a Kysely
// query and compiling it to SQL costs more CPU than SQLite spends running a small one: in a
// profile of the document list endpoint under load, building and compiling were a sixth of
// the server's time. A shape is the query's SQL text: which optional filters are present,
// how many values a list binds, the structural flags. Within one shape only the bound values
// change, so the query is built once with markers in place of the values, and each later run
// puts the values where the markers ended up among the compiled parameters.
//
// The build function is the repository's ordinary Kysely code; it must use a bound value only
// as a value to bind, never to decide the query's structure or to compute another value
// (markers are not the values). Violations are caught on the first run of a shape: a value
// written into the SQL text, transformed, or not bound at all throws.
import { createQueryId, type CompiledQuery, type Compilable, type Kysely } from 'kysely';

/**
 * What a cached query takes: strings and numbers are bound, one parameter each (arrays: one
 * per element, their length part of the shape); booleans, null, undefined, '' and 0 are part
 * of the shape, passed to the build function as they are.
 */
export type ShapeValue =
  string | number | boolean | null | undefined | readonly (string | number)[];

interface Template {
  compiled: CompiledQuery;
  /** per compiled parameter: the value's key (and element), or a constant of the shape */
  slots: ({ key: string; element: number } | { constant: unknown })[];
}

const MARKER = '\u0000bind\u0000';

/** Shapes kept per database; beyond it the oldest is dropped (multi-row inserts vary most). */
const MAX_TEMPLATES = 500;

/** Templates per dialect adapter: one set per database, shared by its transactions. */
const templatesByAdapter = new WeakMap<object, Map<string, Template>>();

/**
 * Runs the query `build` makes from `values`, compiling it only on the first run of its
 * shape. `name` names the query (one build function per name).
 */
export async function executeCached<D, V extends Record<string, ShapeValue>, O>(
  db: Kysely<D>,
  name: string,
  values: V,
  build: (values: V) => Compilable<O>,
): Promise<O[]> {
  return (await db.executeQuery(compileCached(db, name, values, build))).rows;
}

/**
 * The query `build` makes from `values`, compiled, for running elsewhere (Database.jsonArray);
 * compiled only on the first call of its shape. Where the Kysely instance has plugins (the
 * benchmark's statement recorder), every call is built afresh so they see it.
 */
export function compileCached<D, V extends Record<string, ShapeValue>, O>(
  db: Kysely<D>,
  name: string,
  values: V,
  build: (values: V) => Compilable<O>,
): CompiledQuery<O> {
  const executor = db.getExecutor();
  if (executor.plugins.length > 0) return build(values).compile();
  let templates = templatesByAdapter.get(executor.adapter);
  if (!templates) {
    templates = new Map();
    templatesByAdapter.set(executor.adapter, templates);
  }
  const shape = shapeOf(name, values);
  let template = templates.get(shape);
  if (!template) {
    template = compileTemplate(name, values, build);
    if (templates.size >= MAX_TEMPLATES) templates.delete(templates.keys().next().value!);
    templates.set(shape, template);
  }
  const parameters = template.slots.map((slot) => {
    if ('constant' in slot) return slot.constant;
    const value = values[slot.key];
    return Array.isArray(value) ? value[slot.element] : value;
  });
  return {
    query: template.compiled.query,
    sql: template.compiled.sql,
    parameters,
    queryId: createQueryId(),
  } as CompiledQuery<O>;
}

function shapeOf(name: string, values: Record<string, ShapeValue>): string {
  let shape = name;
  for (const key in values) {
    const value = values[key];
    shape += isBound(value)
      ? `|${key}`
      : Array.isArray(value)
        ? `|${key}[${value.length}]`
        : `|${key}=${String(value)}${typeof value}`;
  }
  return shape;
}

/**
 * Whether a value is bound rather than part of the shape: a non-empty string or a non-zero
 * number. Empty and zero values shape the query, since builders may test a value's truth.
 */
function isBound(value: ShapeValue): value is string | number {
  return (typeof value === 'string' || typeof value === 'number') && Boolean(value);
}

function compileTemplate<V extends Record<string, ShapeValue>, O>(
  name: string,
  values: V,
  build: (values: V) => Compilable<O>,
): Template {
  const markers = new Map<string, { key: string; element: number }>();
  const mark = (key: string, element: number) => {
    const marker = `${MARKER}${key}\u0000${element}`;
    markers.set(marker, { key, element });
    return marker;
  };
  const marked: Record<string, ShapeValue> = {};
  for (const key in values) {
    const value = values[key];
    marked[key] = isBound(value)
      ? mark(key, -1)
      : Array.isArray(value)
        ? value.map((_, i) => mark(key, i))
        : value;
  }
  const compiled = build(marked as V).compile();
  if (compiled.sql.includes('\u0000')) {
    throw new Error(`query ${name}: a bound value was written into the SQL text`);
  }
  const unbound = new Set(markers.keys());
  const slots = compiled.parameters.map((parameter) => {
    if (typeof parameter === 'string' && parameter.includes('\u0000')) {
      const slot = markers.get(parameter);
      if (!slot) throw new Error(`query ${name}: a bound value was transformed before binding`);
      unbound.delete(parameter);
      return slot;
    }
    return { constant: parameter };
  });
  if (unbound.size > 0) {
    const keys = [...new Set([...unbound].map((m) => markers.get(m)!.key))];
    throw new Error(`query ${name}: ${keys.join(', ')} shaped the query instead of being bound`);
  }
  return { compiled, slots };
}
