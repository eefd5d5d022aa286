// GET audit (administrators, filterable) and GET audit/verify (the chain's integrity).
import type { FastifyPluginAsyncZod } from 'fastify-type-provider-zod';
import { AuditEvent, AuditQuery, AuditVerification, pageOf } from '../../shared/api/schemas.js';
import { ApiError } from '../errors.js';
import { actorOf } from '../plugins/authenticate.js';
import { auditContextOf, type Actor } from '../services/auth.js';
import type { Services } from '../services/index.js';

function adminOf(actor: Actor): Actor {
  if (actor.role !== 'admin')
    throw new ApiError('admin_only', 'Only administrators may read the audit log.');
  return actor;
}

export const auditRoutes: FastifyPluginAsyncZod<{ services: Services }> = async (
  app,
  { services },
) => {
  app.get(
    '/audit',
    { schema: { tags: ['audit'], querystring: AuditQuery, response: { 200: pageOf(AuditEvent) } } },
    async (request) => {
      const actor = adminOf(actorOf(request));
      const page = await services.audit.list(actor.organizationId, request.query);
      await services.audit.record(auditContextOf(actor), {
        action: 'audit.list',
        details: { filter: { ...request.query, cursor: undefined } },
      });
      return page;
    },
  );

  app.get(
    '/audit/verify',
    { schema: { tags: ['audit'], response: { 200: AuditVerification } } },
    async (request) => {
      const actor = adminOf(actorOf(request));
      const result = await services.audit.verify(actor.organizationId);
      await services.audit.record(auditContextOf(actor), {
        action: 'audit.verify',
        outcome: result.ok ? 'success' : 'failure',
        details: { checked: result.checked, firstBroken: result.firstBroken },
      });
      return result;
    },
  );
};
