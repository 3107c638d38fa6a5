/**
 * Runs one export for one person: admission (ExportSlots), opening the dump, streaming it to
 * the response with `pipeline` (so a browser that goes away destroys the dump stream, which
 * ends its database client), and one audit log line per attempt: who, which workspace, when,
 * how many bytes, how it ended, how long it took. The audit goes to the log only: the legacy
 * database is never written to.
 */
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { dumpAttachmentHeader } from '../content-disposition.js';
import { isExporterError } from '../../errors.js';
import { HttpProblem, notFound } from '../http-problem.js';
import { ExportSlots, isDenial } from './export-slots.js';
import type { OpenArchiveExport, OpenExport } from './contracts.js';

export interface ExportCall {
  sub: string;
  /** null: every workspace `sub` is a member of, as one zip (one slot for the whole archive). */
  workspaceId: string | null;
  gzip: boolean;
  via: 'web' | 'api';
}

type Outcome = 'completed' | 'aborted' | 'failed' | 'busy' | 'not_found' | 'unsupported' | 'unavailable' | 'error';

/** Turns the dump engine's pre-flight failures into answers; anything else stays a 500. */
function toProblem(err: unknown): { outcome: Outcome; problem: HttpProblem } | null {
  if (!isExporterError(err)) return null;
  switch (err.code) {
    case 'WORKSPACE_NOT_FOUND':
      return { outcome: 'not_found', problem: notFound() };
    case 'WORKSPACE_UNSUPPORTED':
    case 'PREFLIGHT_FAILED':
      // These messages are written for people and carry no secret (errors.ts contract).
      return { outcome: 'unsupported', problem: new HttpProblem(409, 'This workspace cannot be exported here', err.message) };
    case 'DATABASE_UNREACHABLE':
      return {
        outcome: 'unavailable',
        problem: new HttpProblem(503, 'Export temporarily unavailable', 'The workspace database cannot be reached right now. Please try again in a minute.', {
          'retry-after': '60',
        }),
      };
    default:
      return null;
  }
}

/** What is being sent: its bytes, its response headers, and what the audit line says about it. */
interface Download {
  stream: Readable;
  result: Promise<unknown>;
  headers: Record<string, string>;
  audit: Record<string, unknown>;
}

export class ExportService {
  constructor(
    private readonly open: OpenExport,
    readonly slots: ExportSlots,
    private readonly openArchive: OpenArchiveExport,
  ) {}

  async #openDownload(call: ExportCall): Promise<Download> {
    if (call.workspaceId === null) {
      const archive = await this.openArchive({ userSub: call.sub });
      return {
        stream: archive.stream,
        result: archive.result,
        headers: { 'content-type': 'application/zip', 'content-disposition': `attachment; filename="${archive.filename}"` },
        audit: { workspaceCount: archive.workspaceCount },
      };
    }
    const opened = await this.open({ workspaceId: call.workspaceId, userSub: call.sub, gzip: call.gzip });
    return {
      stream: opened.stream,
      result: opened.result,
      headers: {
        'content-type': call.gzip ? 'application/gzip' : 'application/sql; charset=utf-8',
        'content-disposition': dumpAttachmentHeader(opened.workspace.name, call.gzip),
      },
      audit: { workspaceName: opened.workspace.name },
    };
  }

  /** Answers the request with the dump, or throws an HttpProblem before anything is sent. */
  async send(request: FastifyRequest, reply: FastifyReply, call: ExportCall): Promise<void> {
    const startedAt = new Date();
    const audit = (outcome: Outcome, fields: Record<string, unknown> = {}) => {
      request.log.info(
        {
          audit: 'export',
          sub: call.sub,
          workspaceId: call.workspaceId,
          via: call.via,
          gzip: call.gzip,
          startedAt: startedAt.toISOString(),
          durationMs: Date.now() - startedAt.getTime(),
          bytes: 0,
          outcome,
          ...fields,
        },
        `export ${outcome}`,
      );
    };

    const slot = this.slots.tryAcquire(call.sub);
    if (isDenial(slot)) {
      audit('busy', { busy: slot.busy });
      throw slot.busy === 'person'
        ? new HttpProblem(429, 'An export is already running', 'You already have an export in progress. Wait for its download to finish, then try again.', { 'retry-after': '10' })
        : new HttpProblem(429, 'The exporter is busy', 'Too many exports are running right now. Please try again in a minute.', { 'retry-after': '30' });
    }

    let opened: Download;
    try {
      opened = await this.#openDownload(call);
    } catch (err) {
      slot.release();
      const mapped = toProblem(err);
      if (mapped === null) {
        audit('error', { error: isExporterError(err) ? err.code : 'unexpected' });
        throw err;
      }
      audit(mapped.outcome);
      throw mapped.problem;
    }
    // The engine's own summary promise settles with the stream; its failure is reported below.
    opened.result.catch(() => undefined);

    let bytes = 0;
    const countBytes = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        callback(null, chunk);
      },
    });
    // From here the response is written by hand: headers now (time to first byte), then bytes.
    reply.hijack();
    const res = reply.raw;
    for (const [name, value] of Object.entries(reply.getHeaders())) {
      if (value !== undefined) res.setHeader(name, value);
    }
    res.writeHead(200, {
      ...opened.headers,
      'cache-control': 'no-store',
      'x-content-type-options': 'nosniff',
    });
    res.flushHeaders();

    const described = opened.audit;
    try {
      await pipeline(opened.stream, countBytes, res);
      audit('completed', { ...described, bytes });
    } catch (err) {
      // The engine reports its own failures as ExporterError; anything else while the response
      // was unfinished is the browser going away (Node 20 says ERR_STREAM_PREMATURE_CLOSE,
      // Node 24 other codes), which is no failure of ours.
      const aborted = !isExporterError(err) && !res.writableFinished;
      if (aborted) {
        audit('aborted', { ...described, bytes });
      } else {
        audit('failed', { ...described, bytes, error: isExporterError(err) ? `${err.code}: ${err.message}` : 'stream error' });
      }
    } finally {
      slot.release();
    }
  }
}
