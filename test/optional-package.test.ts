import { describe, expect, it } from 'vitest';
import { loadOptionalPackage } from '../src/optional-package.js';

describe('loadOptionalPackage', () => {
  it('names the missing package, what needs it and how to install it', async () => {
    const missing = 'fief-exporter-no-such-package';
    const err = await loadOptionalPackage(missing, 'the demo', () => import(missing)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'OPTIONAL_PACKAGE_MISSING' });
    expect((err as Error).message).toBe(
      `the demo needs the optional package ${missing}, which this installation left out (npm ci --omit=optional); install it with \`npm install ${missing}\``,
    );
  });

  it('passes on any other failure, a missing module of another name included', async () => {
    const other = 'fief-exporter-other-missing-package';
    const err = await loadOptionalPackage('sql.js', 'moving a SQLite instance', () => import(other)).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'ERR_MODULE_NOT_FOUND' });
    await expect(loadOptionalPackage('sql.js', 'x', () => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
  });

  it('returns what the loader loads when the package is installed', async () => {
    const initSqlJs = await loadOptionalPackage('sql.js', 'moving a SQLite instance', async () => (await import('sql.js')).default);
    expect(typeof initSqlJs).toBe('function');
  });
});
