/**
 * `fief-exporter export --all`: what differs from a single export is only how the stream is
 * opened and what is said along the way; the output file (or stdout) is handled by export.ts
 * exactly as for one workspace.
 */
import { basename } from 'node:path';
import type { Readable } from 'node:stream';
import { openAllWorkspaces, type AllWorkspacesOptions } from '../archive/all-workspaces.js';
import { countOf, formatBytes } from '../format.js';
import { printErr, safe } from './io.js';
import type { Progress } from './progress.js';

export interface OpenedExportFile {
  stream: Readable;
  filename: string;
  warnings: string[];
  /** Resolves with what to tell the person once the stream has ended. */
  summary: Promise<{ what: string; keyNote: string }>;
}

export async function openAllForCli(
  options: Omit<AllWorkspacesOptions, 'onProgress' | 'onWorkspace' | 'archiveName'>,
  output: string | undefined,
  progress: Progress,
): Promise<OpenedExportFile> {
  const say = (line: string): void => {
    progress.done();
    printErr(`${line}\n`);
  };
  const archive = await openAllWorkspaces({
    ...options,
    ...(output !== undefined && output !== '-' ? { archiveName: basename(output) } : {}),
    onProgress: (p) => progress.update({ ...p, table: `${p.workspace}: ${p.table}` }),
    onWorkspace: (e) => {
      if (e.kind === 'skipped') return say(safe`skipped workspace "${e.workspace.name}" (${e.workspace.id}): ${e.reason}`);
      for (const w of e.warnings) say(safe`warning: ${e.file}: ${w}`);
      say(`  ${e.file} (${formatBytes(e.bytes)})`);
    },
  });
  const summary = archive.result.then((manifest) => {
    const rows = manifest.entries.reduce((n, e) => n + Object.values(e.rows).reduce((a, b) => a + b, 0), 0);
    const skipped = manifest.skipped.length > 0 ? `, ${manifest.skipped.length} skipped` : '';
    return {
      what: `Exported ${manifest.entries.length} of ${countOf(archive.workspaces.length, 'workspace')} (${countOf(rows, 'row')}${skipped})`,
      keyNote: "Each dump's ENCRYPTION_KEY is on its line 1; README.txt in the archive says what to do next.",
    };
  });
  summary.catch(() => undefined);
  return { stream: archive.stream, filename: archive.filename, warnings: [], summary };
}
