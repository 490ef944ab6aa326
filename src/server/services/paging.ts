/** One page of a list: which page is shown, how many there are, and how many rows come before it. */
export interface PageWindow {
  page: number;
  pageCount: number;
  offset: number;
}

/**
 * The page to show of `total` rows at `pageSize` a page: the requested one, kept within 1..pageCount so a
 * stale link past the end shows the last page (an empty list still has page 1).
 */
export function pageWindow(total: number, pageSize: number, requestedPage: number): PageWindow {
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(1, requestedPage), pageCount);
  return { page, pageCount, offset: (page - 1) * pageSize };
}
