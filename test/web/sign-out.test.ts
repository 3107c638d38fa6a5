/**
 * Signing out ends the session for good: the same cookie replayed afterwards is refused, and the
 * session at the issuer ends too (its end-session endpoint), so on a shared computer the next
 * person to click "Sign in" meets the issuer's login form instead of the previous person's account.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fakeLegacy } from './helpers/fakes.js';
import { cookieValue, newBrowser, postForm, signInToApp, type Browser, type BrowserResponse } from './helpers/oidc-flow.js';
import { startStack, type Stack } from './helpers/stack.js';

const anne = { sub: '6f1c0e52-0000-4000-8000-00000000a001', email: 'anne@example.com' };
const workspace = { id: 'c0ffee00-0000-4000-8000-000000000001', name: 'Bretagne', domain: 'bretagne.fief.dev', usersCount: 12 };

let stack: Stack;
beforeAll(async () => {
  const legacy = fakeLegacy([workspace], { [workspace.id]: [anne.sub] });
  stack = await startStack({ accounts: [anne], workspaces: legacy.workspaces, openExport: legacy.openExport });
});
afterAll(() => stack?.close());

async function signOut(browser: Browser): Promise<BrowserResponse> {
  const html = (await browser.get(`${stack.appUrl}/workspaces`)).text;
  const csrf = /name="_csrf" value="([^"]+)"/.exec(html)?.[1] ?? '';
  return postForm(browser, `${stack.appUrl}/auth/logout`, { _csrf: csrf });
}

describe('signing out', () => {
  it('refuses the same session cookie replayed afterwards', async () => {
    const browser = await signInToApp(stack.appUrl, anne.email);
    const stolen = `fief-exporter-session=${cookieValue(browser, stack.appUrl, 'fief-exporter-session')!}`;
    expect((await browser.get(`${stack.appUrl}/workspaces`)).status).toBe(200);
    expect((await signOut(browser)).status).toBe(303);

    const replay = newBrowser();
    const page = await replay.get(`${stack.appUrl}/workspaces`).set('cookie', stolen);
    expect(page.status).toBe(303);
    expect(page.headers.location).toBe('/auth/login');
    const form = await postForm(replay, `${stack.appUrl}/workspaces/${workspace.id}/export`, { _csrf: 'x' }, { cookie: stolen });
    expect(form.status).toBe(303);
  });

  it('ends the session at the issuer, so the next sign-in on this browser asks for an account', async () => {
    const browser = await signInToApp(stack.appUrl, anne.email);
    const out = await signOut(browser);
    expect(out.status).toBe(303);
    const endSession = new URL(String(out.headers.location ?? ''), stack.appUrl);
    expect(endSession.origin).toBe(stack.config.fiefBaseUrl);
    expect(endSession.searchParams.get('client_id')).toBe(stack.config.fiefClientId);
    expect(endSession.searchParams.get('post_logout_redirect_uri')).toBe(`${stack.appUrl}/`);

    // The issuer asks to confirm (oidc-provider's page; Fief signs out at once), then comes back.
    const confirm = await browser.get(endSession.toString());
    const page = confirm.text;
    expect(confirm.status, page.slice(0, 300)).toBe(200);
    const action = /<form[^>]*action="([^"]+)"/.exec(page)?.[1];
    const xsrf = /name="xsrf" value="([^"]+)"/.exec(page)?.[1];
    expect(action && xsrf).toBeTruthy();
    const done = await postForm(browser, new URL(action!, endSession).toString(), { xsrf: xsrf!, logout: 'yes' });
    expect(done.status).toBe(303);
    expect(done.headers.location).toBe(`${stack.appUrl}/`);

    // Next person, same browser: the issuer shows its login form instead of signing Anne in.
    let response = await browser.get(`${stack.appUrl}/auth/login`);
    for (let hop = 0; hop < 5 && response.status >= 300 && response.status < 400; hop++) {
      const next = new URL(String(response.headers.location ?? ''), stack.config.fiefBaseUrl);
      expect(next.pathname, 'silently signed back in').not.toBe('/auth/callback');
      response = await browser.get(next.toString());
    }
    expect(response.status).toBe(200);
    expect(response.text).toContain('<input id="email" name="email"');
  });
});
