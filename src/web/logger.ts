/**
 * Logger options for the app. Secrets must never reach a log line: headers that carry them are
 * redacted, and request URLs are logged with query values masked, because the OAuth callback's
 * URL carries the authorization code and state.
 */
import type { FastifyRequest } from 'fastify';
import type { DestinationStream, LoggerOptions } from 'pino';
import type { WebConfig } from './config.js';

export const REDACTED_PATHS = [
  'req.headers.cookie',
  'req.headers.authorization',
  'req.headers["x-csrf-token"]',
  'res.headers["set-cookie"]',
  'headers.cookie',
  'headers.authorization',
  '*.encryptionKey',
  '*.fiefClientSecret',
  '*.clientSecret',
  '*.secret',
  '*.previousSecrets',
  '*.password',
  '*.accessToken',
  '*.access_token',
  '*.refresh_token',
  '*.id_token',
  '*.token',
  // The OAuth authorization code, where a query is logged parsed; not `*.code`, which would
  // also hide the error codes (ECONNREFUSED, DATABASE_UNREACHABLE) of every logged error.
  'req.query.code',
  'query.code',
  '*.csrf',
  '*._csrf',
  // The same names at the top level of a log call's object (`*.` matches one level down only).
  'encryptionKey',
  'fiefClientSecret',
  'clientSecret',
  'secret',
  'previousSecrets',
  'password',
  'accessToken',
  'access_token',
  'refresh_token',
  'id_token',
  'token',
  'csrf',
  '_csrf',
];

/** "/auth/callback?code=abc&state=xyz" → "/auth/callback?code=~&state=~" */
export function maskQuery(url: string): string {
  const q = url.indexOf('?');
  if (q === -1) return url;
  const keys = url
    .slice(q + 1)
    .split('&')
    .filter((pair) => pair !== '')
    .map((pair) => `${pair.split('=')[0] ?? ''}=~`);
  return `${url.slice(0, q)}?${keys.join('&')}`;
}

export interface AppLogger {
  options: LoggerOptions;
  stream?: DestinationStream;
}

export function loggerOptions(config: Pick<WebConfig, 'logLevel'>): LoggerOptions {
  return {
    level: config.logLevel,
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
    serializers: {
      req(request: FastifyRequest) {
        return {
          method: request.method,
          url: maskQuery(request.url),
          remoteAddress: request.ip,
        };
      },
    },
  };
}
