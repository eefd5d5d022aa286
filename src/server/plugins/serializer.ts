// Response serialization: each route's zod response schema becomes a JSON Schema once, at
// startup, and Fastify's own fast-json-stringify writes the response from it. Zod's
// serializer re-validated every response object on the way out, which cost about a tenth of
// the document list's CPU; here the types come from the services, and the schema still
// decides what leaves the server: only declared fields are written.
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';
import type { FastifySerializerCompiler } from 'fastify/types/schema.js';
import { serializerCompiler as zodSerializerCompiler } from 'fastify-type-provider-zod';
import { z } from 'zod';

const buildFastSerializer = SerializerSelector()(undefined, {});

/**
 * A serializer compiler for zod response schemas. A schema JSON Schema cannot express (a
 * transform to a type with no JSON form, say) keeps zod's validating serializer.
 */
export const serializerCompiler: FastifySerializerCompiler<z.ZodType> = (route) => {
  let jsonSchema: Record<string, unknown>;
  try {
    jsonSchema = z.toJSONSchema(route.schema, { io: 'output', target: 'draft-7' });
  } catch {
    return zodSerializerCompiler(route);
  }
  const { method, url, httpStatus = 'default' } = route;
  return buildFastSerializer({ schema: jsonSchema, method, url, httpStatus });
};
