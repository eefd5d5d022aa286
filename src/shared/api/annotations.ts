// Request and response schemas of document annotations (/api/v1/documents/:id/annotations,
// /api/v1/annotations/:id). Geometry is in the document's own space: every coordinate is a
// fraction 0..1 of its page (origin top-left, before any view rotation or zoom), so an
// annotation stays anchored at any zoom and rotation; freehand strokes keep the raw input points.
import { z } from 'zod';

export const ANNOTATION_KINDS = ['marker', 'freehand', 'text', 'highlight'] as const;
export type AnnotationKind = (typeof ANNOTATION_KINDS)[number];

export const MAX_STROKE_POINTS = 10_000;
export const MAX_ANNOTATION_PAGE = 10_000;
export const MAX_LABEL_LENGTH = 200;
export const MAX_TEXT_LENGTH = 5_000;
/** Keeps one document's annotation list a size a viewer can load at once. */
export const MAX_ANNOTATIONS_PER_DOCUMENT = 2_000;

const id = z.uuid();
const isoDateTime = z.iso.datetime();
const unit = z.number().min(0).max(1);
const color = z.string().regex(/^#[0-9a-f]{6}$/i, "must be a colour written '#rrggbb'");

export const MarkerContent = z.strictObject({
  x: unit,
  y: unit,
  label: z.string().trim().max(MAX_LABEL_LENGTH),
  color,
});

export const FreehandContent = z.strictObject({
  /** the raw input points, in the order drawn; smoothing is the renderer's business */
  points: z
    .array(z.tuple([unit, unit]))
    .min(1)
    .max(MAX_STROKE_POINTS),
  /** stroke width as a fraction of the page width */
  width: z.number().positive().max(0.25),
  color,
});

export const TextContent = z.strictObject({
  x: unit,
  y: unit,
  text: z.string().trim().min(1).max(MAX_TEXT_LENGTH),
  color,
});

export const HighlightContent = z
  .strictObject({
    x: unit,
    y: unit,
    width: z.number().positive().max(1),
    height: z.number().positive().max(1),
    color,
  })
  // A small tolerance absorbs rounding in the client's arithmetic; more is a box off the page.
  .refine((h) => h.x + h.width <= 1.000001 && h.y + h.height <= 1.000001, {
    message: 'the highlight must lie inside the page (x + width and y + height at most 1)',
  });

/** The content schema of each annotation type. */
export const CONTENT_BY_KIND = {
  marker: MarkerContent,
  freehand: FreehandContent,
  text: TextContent,
  highlight: HighlightContent,
} as const satisfies Record<AnnotationKind, z.ZodType>;

export type MarkerContent = z.infer<typeof MarkerContent>;
export type FreehandContent = z.infer<typeof FreehandContent>;
export type TextContent = z.infer<typeof TextContent>;
export type HighlightContent = z.infer<typeof HighlightContent>;

/** Any type's content; the server checks it against the annotation's own type. */
export const AnnotationContent = z.union([
  MarkerContent,
  FreehandContent,
  TextContent,
  HighlightContent,
]);
export type AnnotationContent = z.infer<typeof AnnotationContent>;

export const AnnotationPageNumber = z.number().int().min(1).max(MAX_ANNOTATION_PAGE);

/** One variant per type, so `content` is checked against the type it is sent with. */
export const annotationVariants = <Base extends z.ZodRawShape>(base: Base) =>
  z.discriminatedUnion('type', [
    z.strictObject({ ...base, type: z.literal('marker'), content: MarkerContent }),
    z.strictObject({ ...base, type: z.literal('freehand'), content: FreehandContent }),
    z.strictObject({ ...base, type: z.literal('text'), content: TextContent }),
    z.strictObject({ ...base, type: z.literal('highlight'), content: HighlightContent }),
  ]);

export const AnnotationCreate = annotationVariants({
  pageNumber: AnnotationPageNumber,
  /**
   * An id made by the client (an annotation drawn offline has one before the server sees it):
   * sending the same create again answers the annotation made the first time, never a second.
   */
  id: z.uuid().optional(),
});
export type AnnotationCreate = z.infer<typeof AnnotationCreate>;

export const AnnotationPatch = z.strictObject({
  /** the version the client last saw; a different current version answers 409 conflict */
  version: z.number().int().min(1),
  pageNumber: AnnotationPageNumber.optional(),
  content: AnnotationContent.optional(),
});
export type AnnotationPatch = z.infer<typeof AnnotationPatch>;

export const AnnotationDeleteQuery = z.strictObject({
  version: z.coerce.number().int().min(1),
});

export const Annotation = annotationVariants({
  id,
  documentId: id,
  pageNumber: z.number().int(),
  version: z.number().int(),
  createdBy: id,
  createdByName: z.string(),
  createdAt: isoDateTime,
  updatedAt: isoDateTime,
});
export type Annotation = z.infer<typeof Annotation>;

export const AnnotationList = z.object({ items: z.array(Annotation) });
export type AnnotationList = z.infer<typeof AnnotationList>;

/** The 409 answer to a stale version: a problem+json that carries the annotation as it is now. */
export const AnnotationConflict = z.object({
  type: z.string(),
  title: z.string(),
  status: z.literal(409),
  detail: z.string(),
  code: z.literal('conflict'),
  instance: z.string().optional(),
  /** the annotation as it is now, for the client to offer reloading */
  current: Annotation,
});
export type AnnotationConflict = z.infer<typeof AnnotationConflict>;
