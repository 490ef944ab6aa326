/**
 * Where the editor's caret is, in terms the preview understands: how many Markdown headings precede it.
 * The preview scrolls to the heading that many places down (the part being edited), so the educator sees
 * the paragraph they type in a long chapter.
 */

const FRONT_MATTER = /^---\n[\s\S]*?\n---(?:\n|$)/;
/** An ATX heading: up to three spaces, one to six #, then a space or the end of the line (CommonMark 4.2). */
const ATX_HEADING = /^ {0,3}#{1,6}(?:[ \t]|$)/;
/** A code fence opening or closing: three or more backticks or tildes (CommonMark 4.5). */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * The number of ATX headings in the Markdown body that start before `offset` (a character index into the
 * whole source, front matter included). Lines inside fenced code blocks are not headings. Setext headings
 * (underlined with = or -) are not counted; the first edition uses none.
 */
export function headingsBefore(source: string, offset: number): number {
  const text = source.slice(0, Math.max(0, offset)).replace(/\r\n?/g, '\n');
  const frontMatter = FRONT_MATTER.exec(source.replace(/\r\n?/g, '\n'))?.[0] ?? '';
  const body = text.length > frontMatter.length ? text.slice(frontMatter.length) : '';
  let count = 0;
  let fence: string | null = null;
  for (const line of body.split('\n')) {
    const fenceMatch = FENCE.exec(line);
    if (fenceMatch?.[1]) {
      const marker = fenceMatch[1];
      if (fence === null) fence = marker;
      else if (marker[0] === fence[0] && marker.length >= fence.length) fence = null;
      continue;
    }
    if (fence === null && ATX_HEADING.test(line)) count++;
  }
  return count;
}
