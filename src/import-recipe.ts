/**
 * The one way we tell people to import a dump with psql: the README, the web pages, the CLI's
 * next steps, the demo's console and the zip's README.txt all print these lines, so a command
 * copied from any of them is the same and works when pasted, whatever the file is called.
 */

/** The database the recipe creates; people may pick another name, the recipe needs one. */
export const RECIPE_DATABASE = 'fief_new';

/**
 * One POSIX shell word for `text`, always single-quoted so that spaces, quotes, `$`, `*`, `~`
 * and a leading `-` in a file name are taken literally by sh, bash and zsh.
 */
export function shellQuote(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** The file argument of psql: a leading dash would otherwise read as an option. */
function fileArgument(fileName: string): string {
  return shellQuote(fileName.startsWith('-') ? `./${fileName}` : fileName);
}

/**
 * The commands that import `fileName` (as it is called in the current directory) into a new,
 * empty database: createdb, then psql without ~/.psqlrc (-X), stopping at the first error.
 */
export function importRecipe(fileName: string, database = RECIPE_DATABASE): string[] {
  return [`createdb ${database}`, `psql -X -v ON_ERROR_STOP=1 -d ${database} -f ${fileArgument(fileName)}`];
}
