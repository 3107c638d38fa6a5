/**
 * How a PostgreSQL failure reaches the user (src/db/connection.ts, toExporterError): a server
 * that cannot be reached, or that goes away mid-query, is an outage (DATABASE_UNREACHABLE, the
 * web's 503), whoever met it; anything else is the server's own error (DATABASE_ERROR).
 */
import { describe, expect, it } from 'vitest';
import { toExporterError } from '../src/db/connection.js';

const target = { host: 'db.example', port: 5433, database: 'fief', password: 'hunter2' };
const serverError = (code: string, message: string) => Object.assign(new Error(message), { code, severity: 'FATAL' });

describe('toExporterError', () => {
  it.each([
    ['refused', Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })],
    ['reset', Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })],
    ['terminated by the administrator', serverError('57P01', 'terminating connection due to administrator command')],
    ['crash shutdown', serverError('57P02', 'terminating connection because of crash of another server process')],
    ['server starting up', serverError('57P03', 'the database system is starting up')],
    ['connection exception', serverError('08006', 'connection failure')],
    ['ended under the query', new Error('Connection terminated unexpectedly')],
  ])('a connection %s is DATABASE_UNREACHABLE', (_, err) => {
    const mapped = toExporterError(err, target);
    expect(mapped.code).toBe('DATABASE_UNREACHABLE');
    expect(mapped.message).toContain('db.example:5433/fief');
    expect(mapped.message).not.toContain('hunter2');
    expect(mapped.cause).toBe(err);
  });

  it("the server's own errors stay DATABASE_ERROR, with its message", () => {
    const mapped = toExporterError(serverError('42501', 'permission denied for schema x'), target);
    expect(mapped).toMatchObject({ code: 'DATABASE_ERROR', message: 'PostgreSQL error at db.example:5433/fief: permission denied for schema x' });
  });
});
