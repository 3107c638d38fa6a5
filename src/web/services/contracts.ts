/**
 * What the web app needs from the legacy catalog and the dump engine, narrowed to the web's
 * use. The real implementations (src/web/services/legacy-adapter.ts) wrap src/legacy/ and
 * src/dump/; tests may pass fakes to buildApp.
 */
import type { Readable } from 'node:stream';

export interface WorkspaceSummary {
  id: string;
  name: string;
  domain: string;
  usersCount: number;
}

export interface WorkspaceDirectory {
  /** The workspaces `sub` is a member of, sorted by name. */
  listForMember(sub: string): Promise<WorkspaceSummary[]>;
  /** Throws when the legacy main database cannot be reached (readiness). */
  ping(): Promise<void>;
  close(): Promise<void>;
}

export interface ExportRequest {
  workspaceId: string;
  /** The workspace must have this member, else WORKSPACE_NOT_FOUND. */
  userSub: string;
  gzip: boolean;
}

export interface OpenedExport {
  workspace: WorkspaceSummary;
  /** Destroying it aborts the export and ends its database client. */
  stream: Readable;
  /** Settles when the stream has ended or failed. */
  result: Promise<unknown>;
}

/** Throws ExporterError (WORKSPACE_NOT_FOUND, WORKSPACE_UNSUPPORTED, DATABASE_UNREACHABLE, ...) before the first byte. */
export type OpenExport = (request: ExportRequest) => Promise<OpenedExport>;

/** Every workspace of a person as one zip (src/archive/); workspaces that cannot be exported are listed in it as skipped. */
export interface OpenedArchiveExport {
  /** fief_workspaces_<date>.zip */
  filename: string;
  workspaceCount: number;
  stream: Readable;
  result: Promise<unknown>;
}

/** Throws WORKSPACE_NOT_FOUND (a member of none) or DATABASE_UNREACHABLE before the first byte. */
export type OpenArchiveExport = (request: { userSub: string }) => Promise<OpenedArchiveExport>;
