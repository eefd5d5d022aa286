// GET patients?q=, GET patients/:id, GET patients/:id/encounters.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import {
  Encounter,
  IdParams,
  Patient,
  PatientListQuery,
  pageOf,
} from '../../shared/api/schemas.js';
import { actorOf } from '../plugins/authenticate.js';
import type { Services } from '../services/index.js';

export const patientRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  app.get(
    '/patients',
    {
      schema: {
        tags: ['patients'],
        querystring: PatientListQuery,
        response: { 200: pageOf(Patient) },
      },
    },
    (request) => services.patients.search(actorOf(request), request.query),
  );

  app.get(
    '/patients/:id',
    { schema: { tags: ['patients'], params: IdParams, response: { 200: Patient } } },
    (request) => services.patients.get(actorOf(request), request.params.id),
  );

  app.get(
    '/patients/:id/encounters',
    {
      schema: {
        tags: ['patients'],
        params: IdParams,
        response: { 200: z.object({ items: z.array(Encounter) }) },
      },
    },
    async (request) => ({
      items: await services.patients.encounters(actorOf(request), request.params.id),
    }),
  );
};
