import type { TestProject } from 'vitest/node';
import { findPgServer, type PgServer } from './pg-server.js';

let server: PgServer | undefined;

export async function setup(project: TestProject): Promise<void> {
  server = await findPgServer();
  project.provide('pgAdminUrl', server.adminUrl);
  project.provide('pgKind', server.kind);
}

export async function teardown(): Promise<void> {
  await server?.stop();
}

declare module 'vitest' {
  export interface ProvidedContext {
    pgAdminUrl: string;
    pgKind: 'env' | 'local' | 'embedded';
  }
}
