/**
 * The development Fief stand-in's sign-in page, dressed like the exporter (its own stylesheet,
 * served by the stand-in from public/) so the demo reads as one product, and saying which demo
 * account to use. Every value is HTML-escaped.
 */
import { readFileSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { join } from 'node:path';
import { publicDir } from '../paths.js';

export const STYLESHEET_PATH = '/static/style.css';

/** The account the page suggests (the demo's), shown in full: it only opens local demo data. */
export interface SignInHint {
  email: string;
  password: string;
}

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] ?? c);

export function loginPage(uid: string, { error, hint }: { error?: string; hint?: SignInHint } = {}): string {
  const account = hint
    ? `<div class="notice" role="note"><h2>Demo account</h2><p>Email address <code>${escapeHtml(hint.email)}</code>, password <code>${escapeHtml(hint.password)}</code></p></div>`
    : '';
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Sign in · Fief (development stand-in)</title><link rel="stylesheet" href="${STYLESHEET_PATH}"><link rel="icon" href="data:,"></head>
<body><header class="site-header"><p class="notice warning" role="note"><strong>Development stand-in</strong> for a Fief server: local accounts only, never a real Fief.</p>
<p class="brand">Fief</p></header>
<main id="main"><h1>Sign in to Fief (development stand-in)</h1>
${error ? `<div class="notice error" role="alert"><p>${escapeHtml(error)}</p></div>` : ''}${account}
<form method="post" action="/interaction/${escapeHtml(uid)}/login">
<p><label for="email">Email address</label><br><input id="email" name="email" type="email" autocomplete="username" required autofocus${hint ? ` value="${escapeHtml(hint.email)}"` : ''}></p>
<p><label for="password">Password</label><br><input id="password" name="password" type="password" autocomplete="current-password"></p>
<p><button type="submit" class="button primary">Sign in</button></p>
</form></main></body></html>`;
}

let stylesheet: Buffer | undefined;

/** The exporter's stylesheet, read once. */
export function sendStylesheet(res: ServerResponse): void {
  stylesheet ??= readFileSync(join(publicDir, 'style.css'));
  res.writeHead(200, { 'content-type': 'text/css; charset=utf-8', 'cache-control': 'no-cache' });
  res.end(stylesheet);
}
