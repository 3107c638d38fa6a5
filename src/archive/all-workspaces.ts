/**
 * Every workspace of an instance (or of one person) as one streamed zip: each workspace is a
 * normal openWorkspaceDump (its own snapshot, its own fresh key), opened only once the previous
 * one is written, then README.txt and manifest.json. Nothing is buffered beyond the dump
 * engine's own runs and the deflater's window; nothing touches the disk.
 */
import type { Readable } from 'node:stream';
import { withClient, type ClientConfig } from '../db/connection.js';
import { APPLICATION_NAME, openWorkspaceDump, RunPool, type ExportOptions } from '../dump/index.js';
import { ExporterError, isExporterError, type ErrorCode } from '../errors.js';
import { listWorkspaces, type WorkspaceRecord } from '../legacy/workspaces.js';
import { VERSION } from '../version.js';
import { MANIFEST_ENTRY, README_ENTRY, uniqueEntryNames } from './entry-names.js';
import { entryFor, newManifest, type Manifest } from './manifest.js';
import { renderReadme } from './readme.js';
import { ZipWriter } from './zip-writer.js';

export interface AllWorkspacesOptions extends Omit<ExportOptions, 'workspaceId' | 'gzip' | 'onProgress'> {
  /** A workspace that cannot be opened is listed in the manifest as skipped instead of failing the whole archive. */
  skipFailed?: boolean;
  /** The archive's own file name, for README.txt's commands (default: the suggested `filename`). */
  archiveName?: string;
  onProgress?: (p: { workspace: string; table: string; rows: number; bytes: number }) => void;
  onWorkspace?: (event: WorkspaceEvent) => void;
  /** The archive's time stamp (file name, entry dates, manifest). */
  now?: Date;
}

export type WorkspaceEvent =
  | { kind: 'exported'; workspace: WorkspaceRecord; file: string; bytes: number; warnings: string[] }
  | { kind: 'skipped'; workspace: WorkspaceRecord; reason: string };

export interface OpenedArchive {
  workspaces: WorkspaceRecord[];
  /** fief_workspaces_<YYYY-MM-DD>.zip */
  filename: string;
  stream: Readable;
  /** Resolves with the manifest once the archive is complete; rejects with an ExporterError naming the workspace. */
  result: Promise<Manifest>;
}

function archiveFileName(now: Date): string {
  return `fief_workspaces_${now.toISOString().slice(0, 10)}.zip`;
}

function listAll(mainDatabase: ClientConfig, userSub: string | undefined): Promise<WorkspaceRecord[]> {
  return withClient({ application_name: APPLICATION_NAME, ...mainDatabase }, (client) => listWorkspaces(client, userSub === undefined ? {} : { userSub }));
}

function named(workspace: WorkspaceRecord, err: unknown): ExporterError {
  const code: ErrorCode = isExporterError(err) ? err.code : 'EXPORT_FAILED';
  const why = err instanceof Error ? err.message : String(err);
  return new ExporterError(code, `workspace ${JSON.stringify(workspace.name)} (${workspace.id}): ${why}`, { cause: err });
}

/** Lists the workspaces (failing before the first byte if there are none), then streams the archive. */
export async function openAllWorkspaces(opts: AllWorkspacesOptions): Promise<OpenedArchive> {
  const workspaces = await listAll(opts.mainDatabase, opts.userSub);
  if (workspaces.length === 0) {
    throw new ExporterError('WORKSPACE_NOT_FOUND', opts.userSub === undefined ? 'the instance has no workspaces' : 'that account is a member of no workspace');
  }
  const now = opts.now ?? new Date();
  const filename = archiveFileName(now);
  // One pool for every dump: the deflater hands each row buffer back to it (zip-writer.ts).
  const runs = opts.runs ?? new RunPool();
  const zip = new ZipWriter({ date: now, runs });
  const result = writeArchive(zip, workspaces, { ...opts, runs, archiveName: opts.archiveName ?? filename }, now);
  result.catch(() => undefined); // reported through `result` by whoever awaits it
  return { workspaces, filename, stream: zip.stream, result };
}

async function writeArchive(zip: ZipWriter, workspaces: WorkspaceRecord[], opts: AllWorkspacesOptions & { archiveName: string }, now: Date): Promise<Manifest> {
  const manifest = newManifest(`fief-exporter ${VERSION}`, now);
  const names = uniqueEntryNames(workspaces);
  const { skipFailed, archiveName, onProgress, onWorkspace, now: _now, ...common } = opts;
  try {
    for (const workspace of workspaces) {
      const file = names.get(workspace.id) ?? workspace.id;
      let dump;
      try {
        dump = await openWorkspaceDump({
          ...common,
          workspaceId: workspace.id,
          ...(onProgress ? { onProgress: (p: { table: string; rows: number; bytes: number }) => onProgress({ workspace: workspace.name, ...p }) } : {}),
        });
      } catch (err) {
        if (!skipFailed) throw named(workspace, err);
        const reason = err instanceof Error ? err.message : String(err);
        manifest.skipped.push({ workspaceId: workspace.id, workspaceName: workspace.name, code: isExporterError(err) ? err.code : 'EXPORT_FAILED', reason });
        onWorkspace?.({ kind: 'skipped', workspace, reason });
        continue;
      }
      let stats;
      try {
        stats = await zip.addStream(file, dump.stream);
      } catch (err) {
        dump.stream.destroy();
        // The engine's own error (which table failed) explains more than the stream's.
        throw named(workspace, await dump.result.then(() => err, (e: unknown) => e));
      }
      const summary = await dump.result;
      manifest.entries.push(entryFor(workspace, file, stats, summary.tables, common.keepKey ?? false));
      onWorkspace?.({ kind: 'exported', workspace, file, bytes: stats.bytes, warnings: dump.warnings });
    }
    await zip.addBuffer(README_ENTRY, Buffer.from(renderReadme(manifest, archiveName)));
    await zip.addBuffer(MANIFEST_ENTRY, Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`));
    await zip.finish();
    return manifest;
  } catch (err) {
    const failure = isExporterError(err) ? err : new ExporterError('EXPORT_FAILED', `the archive could not be written: ${err instanceof Error ? err.message : String(err)}`, { cause: err });
    zip.abort(failure);
    throw failure;
  }
}
