// Runs every `*.test.mjs` file here, one after another; exit code 1 when any test failed.
import { readdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { run } from './harness.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
for (const file of readdirSync(here).filter((f) => f.endsWith('.test.mjs')).sort()) {
  if (only.length && !only.some((o) => file.includes(o))) continue;
  await import(pathToFileURL(`${here}/${file}`).href);
}
process.exit((await run()) ? 1 : 0);
