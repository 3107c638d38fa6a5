/**
 * manifest.json, the archive's table of contents: for each dump, its workspace, file name,
 * size, SHA-256 and rows per table; for each workspace left out (--skip-failed), why.
 * `fief-exporter import --entry` checks the entry it loads against its SHA-256.
 */
import { FORMAT_VERSION } from '../dump/format.js';

export const MANIFEST_KIND = 'fief-exporter workspaces archive';
export const MANIFEST_VERSION = 1;

export interface ManifestEntry {
  workspaceId: string;
  workspaceName: string;
  file: string;
  bytes: number;
  sha256: string;
  /** The dump format version (line 2 of the file). */
  formatVersion: number;
  /** 'fresh': line 1 holds a key made for this dump; 'instance': the instance's key (--keep-key). */
  key: 'fresh' | 'instance';
  rows: Record<string, number>;
}

export interface SkippedWorkspace {
  workspaceId: string;
  workspaceName: string;
  code: string;
  reason: string;
}

export interface Manifest {
  kind: typeof MANIFEST_KIND;
  manifestVersion: number;
  tool: string;
  createdAt: string;
  entries: ManifestEntry[];
  skipped: SkippedWorkspace[];
}

export function newManifest(tool: string, createdAt: Date): Manifest {
  return { kind: MANIFEST_KIND, manifestVersion: MANIFEST_VERSION, tool, createdAt: createdAt.toISOString(), entries: [], skipped: [] };
}

export function entryFor(
  workspace: { id: string; name: string },
  file: string,
  stats: { bytes: number; sha256: string },
  tables: readonly { table: string; rows: number }[],
  keepKey: boolean,
): ManifestEntry {
  return {
    workspaceId: workspace.id,
    workspaceName: workspace.name,
    file,
    bytes: stats.bytes,
    sha256: stats.sha256,
    formatVersion: FORMAT_VERSION,
    key: keepKey ? 'instance' : 'fresh',
    rows: Object.fromEntries(tables.map((t) => [t.table, t.rows])),
  };
}

/** The SHA-256 and size a manifest (as read from an archive) gives for `file`, if it is one of ours and lists it. */
export function expectedEntry(manifest: unknown, file: string): { sha256: string; bytes: number } | null {
  if (typeof manifest !== 'object' || manifest === null) return null;
  const m = manifest as { kind?: unknown; entries?: unknown };
  if (m.kind !== MANIFEST_KIND || !Array.isArray(m.entries)) return null;
  for (const e of m.entries as unknown[]) {
    const entry = e as { file?: unknown; sha256?: unknown; bytes?: unknown };
    if (entry.file !== file) continue;
    if (typeof entry.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(entry.sha256) || typeof entry.bytes !== 'number') return null;
    return { sha256: entry.sha256, bytes: entry.bytes };
  }
  return null;
}
