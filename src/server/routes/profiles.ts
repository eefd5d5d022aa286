// PUT/GET profiles/{patient|practitioner}/:id/image — the image is the raw request body.
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { ProfileImage, ProfileParams } from '../../shared/api/schemas.js';
import { actorOf } from '../plugins/authenticate.js';
import type { Services } from '../services/index.js';
import type { Readable } from 'node:stream';

const MAX_PROFILE_IMAGE_BYTES = 20 * 1024 * 1024;

export const profileRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  // Hands the body over as a stream; the service checks the bytes themselves.
  app.addContentTypeParser(/^image\//, (_request, payload, done) => done(null, payload));

  app.put(
    '/profiles/:type/:id/image',
    {
      bodyLimit: MAX_PROFILE_IMAGE_BYTES,
      schema: {
        tags: ['profiles'],
        params: ProfileParams,
        consumes: ['image/jpeg', 'image/png', 'image/webp', 'image/tiff', 'image/heic'],
        response: { 200: ProfileImage },
      },
    },
    (request) =>
      services.profiles.put(
        actorOf(request),
        request.params.type,
        request.params.id,
        request.body as Readable,
        request.headers['content-type'],
      ),
  );

  app.get(
    '/profiles/:type/:id/image',
    { schema: { tags: ['profiles'], params: ProfileParams, response: { 200: ProfileImage } } },
    (request) => services.profiles.get(actorOf(request), request.params.type, request.params.id),
  );
};
