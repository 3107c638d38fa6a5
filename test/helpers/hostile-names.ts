/**
 * Names an attacker could give a workspace, a table or a routine, aimed at whoever runs a
 * printed script: each would make psql (`\!`), the mysql client (`\!`, `system`,
 * `delimiter`) or sh (`$(…)`, backticks) run `touch pwn-…` in its working directory, or
 * smuggle SQL past a comment (line breaks, a carriage return, `*\/`). A script is safe when,
 * run from an empty directory, it leaves that directory empty.
 */
export const HOSTILE_WORKSPACE_NAME = [
  `Acme'"\``,
  '\\! touch pwn-bang',
  'system touch pwn-system',
  'delimiter //',
  '$(touch pwn-subst) `touch pwn-tick`',
  'DROP TABLE workspace_users; -- */ \u001b[2J\u009b',
  '\r\\! touch pwn-cr\u2028end \u202egnp.exe',
].join('\n');

/** PostgreSQL identifiers are at most 63 bytes, MySQL ones 64 characters not ending in a space. */
export const HOSTILE_TABLE_NAME = 't"`\'\n\\! touch pwn-t\n$(touch pwn-u)\n;-- x';
export const HOSTILE_ROUTINE_NAME = 'p`\n\\! touch pwn-p\nsystem touch pwn-q\nx';
export const HOSTILE_COLLATION_NAME = 'c"\n\\! touch pwn-c\n;DROP TABLE workspaces;';
