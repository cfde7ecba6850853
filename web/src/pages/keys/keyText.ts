// Turning pasted or imported text into a list of keys, in the browser.
// Splits pasted or imported text into keys: commas, semicolons, whitespace and line breaks
// separate them; blanks and repeats are dropped (and counted).
export function splitKeys(text: string): { keys: string[]; repeated: number } {
  const seen = new Set<string>();
  let repeated = 0;
  for (const raw of text.split(/[\s,;]+/)) {
    const k = raw.trim().replace(/^["']|["']$/g, '');
    if (!k) continue;
    if (seen.has(k)) repeated++;
    else seen.add(k);
  }
  return { keys: [...seen], repeated };
}

const HEADER_CELLS = new Set(['key', 'keys', 'key_value', 'api_key', 'apikey', 'value']);

// An imported file: a .csv takes the first cell of each row (a header row such as "key,…" is
// skipped); anything else is split like pasted text.
export function parseImport(name: string, text: string): { keys: string[]; repeated: number } {
  if (!/\.csv$/i.test(name)) return splitKeys(text);
  const cells = text
    .split(/\r?\n/)
    .map((line) => line.split(/[,;\t]/)[0]?.trim().replace(/^["']|["']$/g, '') ?? '')
    .filter((c) => c && !HEADER_CELLS.has(c.toLowerCase()));
  return splitKeys(cells.join('\n'));
}
