/**
 * CSV for spreadsheet users (RFC 4180: every cell quoted, quotes doubled, CRLF line ends).
 *
 * A cell that starts with = + - @ tab or carriage return is read by Excel and LibreOffice as a formula
 * (OWASP, "CSV Injection"): a member who names themselves `=HYPERLINK(...)` would otherwise plant a live
 * link or command in the admin's spreadsheet. Such cells get a leading apostrophe, which spreadsheets show
 * as text and do not evaluate.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

/** One cell, defused and quoted. null becomes an empty cell. */
export function csvCell(value: string | number | null): string {
  if (value === null) return '';
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return `"${text.replace(/"/g, '""')}"`;
}

/**
 * A whole file: the header row, then the rows. Starts with a byte-order mark because Excel opens a CSV
 * without one in the machine's legacy code page, which garbles names like "Østergaard" or "Ødön".
 */
export function csvDocument(header: readonly string[], rows: readonly (readonly (string | number | null)[])[]): string {
  const lines = [header, ...rows].map((row) => row.map(csvCell).join(','));
  return `\uFEFF${lines.join('\r\n')}\r\n`;
}

/**
 * The CSV as a file download named `<filenamePrefix>-<YYYY-MM-DD>.csv` (the UTC day), never cached: the
 * exports hold names and email addresses.
 */
export function csvDownload(csv: string, filenamePrefix: string, now = Date.now()): Response {
  const day = new Date(now).toISOString().slice(0, 10);
  return new Response(csv, {
    headers: {
      'Content-Type': 'text/csv; charset=utf-8',
      'Content-Disposition': `attachment; filename="${filenamePrefix}-${day}.csv"`,
      'Cache-Control': 'no-store',
    },
  });
}
