/**
 * Line numbers for a JSON document: where a JSON.parse error happened, and on which line the value at a
 * path (as in a zod issue) starts, so an import report can say "line 42: items.3.key: ...".
 */

/** The 1-based line of a character offset. */
export function lineAt(text: string, offset: number): number {
  let line = 1;
  for (let i = 0; i < offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
  return line;
}

/** The line of a JSON.parse SyntaxError (V8 names a position or a line), or null when it names neither. */
export function syntaxErrorLine(text: string, error: SyntaxError): number | null {
  const byLine = /line (\d+) column \d+/.exec(error.message);
  if (byLine) return Number(byLine[1]);
  const byPosition = /position (\d+)/.exec(error.message);
  if (byPosition) return lineAt(text, Number(byPosition[1]));
  return null;
}

/**
 * The start line of every value of a valid JSON document, keyed by its path joined with '.'
 * ('' for the root). A small scanner: the text has already passed JSON.parse.
 */
export function valueLines(text: string): Map<string, number> {
  const lines = new Map<string, number>();
  let i = 0;
  let line = 1;
  const skip = (): void => {
    while (i < text.length) {
      const c = text[i];
      if (c === '\n') line++;
      else if (c !== ' ' && c !== '\t' && c !== '\r') return;
      i++;
    }
  };
  const readString = (): string => {
    const start = i;
    i++;
    while (text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: string): void => {
    skip();
    lines.set(path, line);
    const c = text[i];
    const child = (key: string | number): string => (path === '' ? String(key) : `${path}.${key}`);
    if (c === '{') {
      i++;
      skip();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        skip();
        const keyLine = line;
        const key = readString();
        skip();
        i++; // ':'
        value(child(key));
        // A missing-field issue points at the object; a wrong field, at its key's line when the value wraps.
        if ((lines.get(child(key)) ?? keyLine) < keyLine) lines.set(child(key), keyLine);
        skip();
        if (text[i++] === '}') return;
      }
    } else if (c === '[') {
      i++;
      skip();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let n = 0; ; n++) {
        value(child(n));
        skip();
        if (text[i++] === ']') return;
      }
    } else if (c === '"') {
      readString();
    } else {
      while (i < text.length && !/[\s,\]}]/.test(text[i] as string)) i++;
    }
  };
  value('');
  return lines;
}

/** The line of the deepest value of `path` that the document has (a missing field: its parent's line). */
export function lineOfPath(lines: Map<string, number>, path: readonly PropertyKey[]): number {
  for (let n = path.length; n >= 0; n--) {
    const found = lines.get(path.slice(0, n).map(String).join('.'));
    if (found !== undefined) return found;
  }
  return 1;
}
