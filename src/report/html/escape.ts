/**
 * Escaping for everything a user controls (sweep names, parameter names and values, metric names, error
 * text) before it goes into the report's HTML or SVG. One function for text and attribute values alike:
 * escaping quotes too costs nothing and removes a way to get it wrong.
 */
export function escapeHtml(value: unknown): string {
  return String(value).replace(/[&<>"']/g, (ch) => ENTITIES[ch]!);
}

const ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

