/**
 * A signed-in "browser" for route tests: its supertest agent (the session cookie) plus the CSRF
 * token from its workspaces page, and helpers to post an export form and call the API.
 */
import { cookieHeader, signInToApp, type Browser, type BrowserResponse } from './oidc-flow.js';

export interface SignedIn {
  email: string;
  agent: Browser;
  csrf: string;
  /** A page of the app, with this browser's cookies. */
  get(path: string): Promise<BrowserResponse>;
  /**
   * An urlencoded form POST with this browser's cookies, over fetch: its response streams, so a
   * download can be read (or given up) part way, which supertest's buffered responses cannot.
   */
  postForm(path: string, fields: Record<string, string>, headers?: Record<string, string>, signal?: AbortSignal): Promise<Response>;
  postExport(id: string, fields?: Record<string, string>, headers?: Record<string, string>): Promise<Response>;
}

export async function signedInBrowser(appUrl: string, email: string): Promise<SignedIn> {
  const agent = await signInToApp(appUrl, email);
  const csrf = /name="_csrf" value="([^"]+)"/.exec((await agent.get(`${appUrl}/workspaces`)).text)?.[1];
  if (!csrf) throw new Error('no CSRF token on the workspaces page');
  const postForm: SignedIn['postForm'] = (path, fields, headers = {}, signal) =>
    fetch(`${appUrl}${path}`, {
      method: 'POST',
      redirect: 'manual',
      headers: { cookie: cookieHeader(agent, `${appUrl}${path}`), 'content-type': 'application/x-www-form-urlencoded', ...headers },
      body: new URLSearchParams(fields).toString(),
      ...(signal ? { signal } : {}),
    });
  return {
    email,
    agent,
    csrf,
    get: async (path) => agent.get(`${appUrl}${path}`),
    postForm,
    postExport: (id, fields = { _csrf: csrf }, headers = {}) => postForm(`/workspaces/${encodeURIComponent(id)}/export`, fields, headers),
  };
}

/** The page's <main> without the per-request reference, to compare two error pages. */
export function withoutRequestId(html: string): string {
  const main = /<main[\s\S]*<\/main>/.exec(html)?.[0] ?? html;
  return main.replace(/reference <code>[^<]*<\/code>/, 'reference <code>#</code>');
}
