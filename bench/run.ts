/**
 * `npm run bench -- <name> [args]`: runs bench/<name>.ts. Benchmarks measure speed and memory
 * against pg_dump/psql in the same run; tests never assert on time.
 */
const names = ['seed', 'export', 'export-all', 'import', 'serve'] as const;
const name = process.argv[2];
if (!name || !(names as readonly string[]).includes(name)) {
  process.stderr.write(`usage: npm run bench -- <${names.join('|')}> [options]\n`);
  process.exit(2);
}
const mod = (await import(`./${name}.ts`)) as { main(args: string[]): Promise<void> };
await mod.main(process.argv.slice(3));
