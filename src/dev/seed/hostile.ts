/**
 * Values chosen to break naive dump/restore code: COPY escapes, psql's `\.` end marker and
 * meta-commands, SQL quoting, comments, dollar quotes, non-ASCII, and the workspace's own
 * schema name inside data (a dump that rewrites `"<uuid>".` with sed would corrupt them).
 *
 * Where the seed puts them (when a workspace has `hostile: true`):
 * - fief_user_field_values.value_string of the `hostile` STRING field: users 0..n-1 get
 *   HOSTILE[i]; user n gets '' and user n+1 gets NULL (NULL next to empty string);
 * - fief_audit_logs rows 0..n-1: message = HOSTILE[i], extra = {"value": HOSTILE[i]};
 *   row n: extra = RAW_JSON (json keeps its text verbatim: whitespace, key order, duplicates);
 * - fief_email_templates: BASE content = bigTemplate() (> 3 MB), WELCOME subject = COMBINED;
 * - fief_tenants: the second tenant's name = TENANT_NAME;
 * - fief_oauth_providers: the first provider's client_secret encrypts COMBINED;
 * - fief_webhook_logs row 0: payload = COMBINED, response = '' and error_message NULL.
 */

export interface HostileValue {
  label: string;
  value: string;
}

export function hostileValues(workspaceId: string): HostileValue[] {
  return [
    { label: 'tabs', value: 'before\tafter\t\ttrailing tab\t' },
    { label: 'crlf', value: 'line one\r\nline two\nline three\rline four' },
    { label: 'backslashes', value: 'C:\\path\\to\\file \\N \\t \\\\ ends with a backslash\\' },
    { label: 'copy-end-marker-line', value: 'first line\n\\.\nlast line' },
    { label: 'copy-end-marker-only', value: '\\.' },
    { label: 'quotes', value: `it's "quoted" ''doubled'' ""twice"" E'\\x41'` },
    { label: 'dollar-quotes', value: '$$; DROP TABLE fief_users; $$ $tag$ body $tag$ $1' },
    { label: 'comments', value: '-- not a comment\n/* not a comment */ */ /* unterminated' },
    { label: 'psql-meta', value: '\\! echo pwned\n\\connect postgres\n\\i /etc/passwd' },
    { label: 'emoji-rtl', value: '🦄👩‍👩‍👧 مرحبا بالعالم שלום עולם \u202eevil\u202c ÅÉÎ ß 漢字' },
    { label: 'control-chars', value: 'bell\u0007 escape\u001b del\u007f' },
    { label: 'schema-name', value: workspaceId },
    { label: 'qualified-name', value: `SELECT * FROM "${workspaceId}".fief_users; SET search_path = "${workspaceId}";` },
    { label: 'padding', value: '  padded both sides  ' },
  ];
}

/** One string with every hazard at once, for single-value slots (secrets, subjects, payloads). */
export function combinedHostile(workspaceId: string): string {
  return hostileValues(workspaceId)
    .map((h) => h.value)
    .join('\n');
}

export const TENANT_NAME = `Acme "Ünïcødé" it's -- /* $$ \\ 🦄 مرحبا`;

/** Valid json that jsonb would normalise: a dump must keep it byte for byte. */
export const RAW_JSON = '{"b" :1,\n  "a":[1, 2 ],\t"a": "duplicate key", "s": "tab\\there \\u00e9 \\\\ \\"q\\""}';

export const BIG_TEMPLATE_BYTES = 3 * 1024 * 1024;

/** A > 3 MB email template body made of the hostile lines, deterministic for a workspace. */
export function bigTemplate(workspaceId: string): string {
  const block = `<p>{{ user.email }}</p>\n${combinedHostile(workspaceId)}\n`;
  const blockBytes = Buffer.byteLength(block, 'utf8');
  return block.repeat(Math.ceil(BIG_TEMPLATE_BYTES / blockBytes) + 1);
}
