/**
 * In-memory stand-ins for the legacy catalog and the dump engine, for tests about the web layer
 * itself (sign-in, pages, CSRF, errors, admission) that need no database.
 */
import { Readable } from 'node:stream';
import { ExporterError } from '../../../src/errors.js';
import type { ExportRequest, OpenExport, WorkspaceDirectory, WorkspaceSummary } from '../../../src/web/services/contracts.js';

export interface FakeLegacy {
  workspaces: WorkspaceDirectory;
  openExport: OpenExport;
  opened: ExportRequest[];
  streams: Readable[];
}

/** `members` maps a workspace id to the subs that are members. Dumps never end unless `endless` is false. */
export function fakeLegacy(
  list: WorkspaceSummary[],
  members: Record<string, string[]>,
  { endless = false, body = '-- ENCRYPTION_KEY=fresh\n-- fief-exporter dump format 1\nSELECT 1;\n' } = {},
): FakeLegacy {
  const isMember = (id: string, sub: string) => (members[id] ?? []).includes(sub);
  const fake: FakeLegacy = {
    opened: [],
    streams: [],
    workspaces: {
      listForMember: (sub) => Promise.resolve(list.filter((w) => isMember(w.id, sub)).sort((a, b) => a.name.localeCompare(b.name))),
      ping: () => Promise.resolve(),
      close: () => Promise.resolve(),
    },
    openExport: (request) => {
      const workspace = list.find((w) => w.id === request.workspaceId);
      if (!workspace || !isMember(workspace.id, request.userSub)) {
        return Promise.reject(new ExporterError('WORKSPACE_NOT_FOUND', 'workspace not found'));
      }
      fake.opened.push(request);
      let sent = 0;
      const stream = new Readable({
        read() {
          if (sent === 0) this.push(body);
          else if (!endless) this.push(null);
          else setTimeout(() => this.push(Buffer.alloc(16 * 1024, 'x')), 5);
          sent += 1;
        },
      });
      fake.streams.push(stream);
      const result = new Promise<void>((resolve, reject) => {
        stream.once('end', () => resolve());
        stream.once('close', () => (stream.readableEnded ? resolve() : reject(new ExporterError('EXPORT_FAILED', 'aborted'))));
      });
      return Promise.resolve({ workspace, stream, result });
    },
  };
  return fake;
}
