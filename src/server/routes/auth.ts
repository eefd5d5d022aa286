// POST auth/login, POST auth/logout, GET me.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { LoginRequest, LoginResponse, Me } from '../../shared/api/schemas.js';
import { actorOf, clientOf } from '../plugins/authenticate.js';
import type { Services } from '../services/index.js';

export const authRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  app.post(
    '/auth/login',
    {
      config: { public: true },
      schema: { tags: ['auth'], body: LoginRequest, response: { 200: LoginResponse } },
    },
    (request) => services.auth.login(request.body.email, request.body.password, clientOf(request)),
  );

  app.post(
    '/auth/logout',
    { schema: { tags: ['auth'], response: { 204: z.null() } } },
    async (request, reply) => {
      await services.auth.logout(actorOf(request));
      return reply.status(204).send(null);
    },
  );

  app.get('/me', { schema: { tags: ['auth'], response: { 200: Me } } }, (request) =>
    services.access.describe(actorOf(request)),
  );
};
