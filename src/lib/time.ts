/** One day in milliseconds (UTC days: the portal's periods and retention rules count whole 24-hour days). */
export const DAY_MS = 24 * 60 * 60 * 1000;
