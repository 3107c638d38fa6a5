/**
 * Packages that only some commands need are optional dependencies: `npm install` brings them,
 * and the service's Docker image (`npm ci --omit=optional`) leaves them out, since `serve`
 * never loads them. A command that needs one that is missing says which, and how to get it.
 */
import { ExporterError } from './errors.js';

export async function loadOptionalPackage<T>(name: string, purpose: string, load: () => Promise<T>): Promise<T> {
  try {
    return await load();
  } catch (err) {
    // Only the package itself missing: a missing file inside an installed package is a real fault.
    const missing = (err as { code?: unknown }).code === 'ERR_MODULE_NOT_FOUND' && String((err as Error).message).includes(`'${name}'`);
    if (!missing) throw err;
    throw new ExporterError(
      'OPTIONAL_PACKAGE_MISSING',
      `${purpose} needs the optional package ${name}, which this installation left out (npm ci --omit=optional); install it with \`npm install ${name}\``,
      { cause: err },
    );
  }
}
