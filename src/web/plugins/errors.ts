/**
 * One error handler for the whole app. People get a page (or, from routes flagged so, JSON) with a status,
 * a title and a sentence; never a stack trace, an internal message or a secret. Unexpected
 * errors are logged (with the request id shown on the page, to find the log line) and answered
 * with a generic 500.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { isExporterError } from '../../errors.js';
import { csrfRefused, HttpProblem } from '../http-problem.js';

/** A route answers its errors as JSON when it says so (`config: { problemFormat: 'json' }`); else as a page. */
export function sendProblem(
  request: FastifyRequest,
  reply: FastifyReply,
  problem: HttpProblem,
  format = request.routeOptions.config.problemFormat,
): FastifyReply {
  void reply.code(problem.statusCode).headers(problem.headers).header('cache-control', 'no-store');
  if (format === 'json') {
    return reply.send({ error: { status: problem.statusCode, title: problem.title, detail: problem.detail } });
  }
  return reply.page('error', { title: problem.title, status: problem.statusCode, detail: problem.detail, requestId: request.id });
}

/** Errors raised by Fastify itself or its plugins (validation, body parsing, rate limits), or a database outage. */
function fromFastifyError(error: FastifyError): HttpProblem | null {
  // An outage of the legacy main database is temporary: say so, and when to come back.
  if (isExporterError(error) && error.code === 'DATABASE_UNREACHABLE') {
    return new HttpProblem(503, 'Service temporarily unavailable', 'The workspace database cannot be reached right now. Please try again in a minute.', {
      'retry-after': '30',
    });
  }
  if (error.validation) {
    const aboutId = error.validationContext === 'params';
    return new HttpProblem(400, 'Invalid request', aboutId ? 'A workspace ID must be a UUID.' : 'The request is not valid.');
  }
  // @fastify/csrf-protection's refusals (FST_CSRF_MISSING_SECRET, FST_CSRF_INVALID_TOKEN).
  if (error.code?.startsWith('FST_CSRF_')) return csrfRefused();
  const status = error.statusCode ?? 500;
  if (status === 429) {
    return new HttpProblem(429, 'Too many requests', 'Too many attempts from your address. Please wait a minute and try again.', {
      'retry-after': '60',
    });
  }
  if (status >= 400 && status < 500) {
    return new HttpProblem(status, 'Invalid request', 'The request could not be understood.');
  }
  return null;
}

function errorsPlugin(app: FastifyInstance, _options: unknown, done: (err?: Error) => void): void {
  app.setErrorHandler((error: FastifyError | HttpProblem, request, reply) => {
    const problem = error instanceof HttpProblem ? error : fromFastifyError(error);
    if (problem !== null) {
      if (problem.statusCode >= 500) request.log.warn({ status: problem.statusCode, title: problem.title }, 'request failed');
      return sendProblem(request, reply, problem);
    }
    request.log.error({ err: error }, 'unexpected error');
    return sendProblem(
      request,
      reply,
      new HttpProblem(500, 'Something went wrong', 'The exporter hit an unexpected error. Please try again; if it persists, contact support with the reference below.'),
    );
  });

  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, new HttpProblem(404, 'Page not found', 'There is nothing at this address.')),
  );
  done();
}

export default fp(errorsPlugin, { name: 'fief-exporter-errors', dependencies: ['fief-exporter-views'] });
