/** Escape text for HTML element content and double-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c] as string);
}

/** A relative path as a URL path (each segment percent-encoded, `/` kept), for `src` / `href` attributes. */
export function encodePath(rel: string): string {
  return rel.split('/').map(encodeURIComponent).join('/');
}
