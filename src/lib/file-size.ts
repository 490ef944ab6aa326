/**
 * A file size as people read it: bytes below 1 KiB, whole KiB below 1 MiB, MiB with one decimal above
 * (binary units, as the upload limits are stated).
 */
export function fileSizeLabel(bytes: number): string {
  if (bytes >= 1024 * 1024) return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
  if (bytes >= 1024) return `${Math.round(bytes / 1024)} KiB`;
  return `${bytes} bytes`;
}
