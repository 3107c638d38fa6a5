/**
 * A signed-in "browser" for route tests: its cookie jar plus the CSRF token from its workspaces
 * page, and helpers to post an export form and call the API.
 */
import { CookieJar } from './cookie-jar.js';
import { signInToApp } from './oidc-flow.js';

export interface SignedIn {
  email: string;
  jar: CookieJar;
  csrf: string;
  postExport(id: string, fields?: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
}

export async function signedInBrowser(appUrl: string, email: string): Promise<SignedIn> {
  const jar = await signInToApp(appUrl, email);
  const html = await (await jar.fetch(`${appUrl}/workspaces`)).text();
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1];
  if (!csrf) throw new Error('no CSRF token on the workspaces page');
  return {
    email,
    jar,
    csrf,
    postExport: (id, fields = { _csrf: csrf }, headers = {}) =>
      jar.fetch(`${appUrl}/workspaces/${encodeURIComponent(id)}/export`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
        body: new URLSearchParams(fields).toString(),
      }),
  };
}

/** The page's <main> without the per-request reference, to compare two error pages. */
export function withoutRequestId(html: string): string {
  const main = /<main[\s\S]*<\/main>/.exec(html)?.[0] ?? html;
  return main.replace(/reference <code>[^<]*<\/code>/, 'reference <code>#</code>');
}
