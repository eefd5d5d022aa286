// Bearer-token authentication for every route that does not declare `config: { public: true }`.
// The organization of every request comes from here, never from the request itself.
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { ApiError } from '../errors.js';
import type { Actor, AuthService, Client } from '../services/auth.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
  }
  interface FastifyContextConfig {
    public?: boolean;
  }
}

export function clientOf(request: FastifyRequest): Client {
  const agent = request.headers['user-agent'];
  return { address: request.ip ?? null, userAgent: agent ? agent.slice(0, 512) : null };
}

export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new ApiError('unauthenticated', 'Sign in to continue.');
  return request.actor;
}

export function registerAuthentication(app: FastifyInstance, auth: AuthService): void {
  app.decorateRequest('actor', null);
  app.addHook('onRequest', async (request) => {
    if (request.routeOptions.config?.public || !request.routeOptions.url) return;
    const header = request.headers.authorization ?? '';
    const match = /^Bearer ([A-Za-z0-9_\-.~+/]{1,200}=*)$/.exec(header);
    if (!match) {
      throw new ApiError('unauthenticated', 'Sign in to continue: no access token was sent.');
    }
    request.actor = await auth.authenticate(match[1]!, clientOf(request));
  });
}
