/**
 * Request ids: the reference an error page shows, for a person to quote in a support request,
 * and the `reqId` of every log line of that request. Random, so that a reference names one
 * request across restarts and instances (Fastify's default counts from req-1 at every start);
 * short and grouped so that it can be read out. Never derived from the request.
 */
import { randomBytes } from 'node:crypto';

export function newRequestId(): string {
  return randomBytes(6).toString('hex').replace(/^(.{4})(.{4})(.{4})$/, '$1-$2-$3');
}
