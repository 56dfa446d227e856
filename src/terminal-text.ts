/**
 * Text from users and trainers (sweep names, parameter values, metric names, trainer output, file paths)
 * made safe to print on a terminal: control characters are shown as escapes instead of being sent raw, so
 * a sweep named "\x1b[2J" or a metric name with a BEL cannot clear the screen, ring the bell, retitle the
 * window or hide text. Every command and the runner's progress output pass such text through here.
 */

/** Every C0 control, DEL and C1 control. */
const ALL_CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
/** The same, less newline and tab. */
const CONTROLS_BUT_LAYOUT = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/g;
/** DEL and C1: the controls `JSON.stringify` leaves raw. */
const JSON_RAW_CONTROLS = /[\u007f-\u009f]/g;

const NAMED: Readonly<Record<string, string>> = { "\n": "\\n", "\t": "\\t", "\r": "\\r" };

function escapeOne(ch: string): string {
  return NAMED[ch] ?? `\\x${ch.charCodeAt(0).toString(16).padStart(2, "0")}`;
}

export interface EscapeOptions {
  /** Keep newlines and tabs (multi-line messages); default: escape them too (table cells, one-line fields). */
  readonly keepLayout?: boolean;
}

/**
 * `"a\x1b[2Jb"` -> `a\x1b[2Jb` as visible text: ESC, BEL and the other C0 controls, DEL and the C1
 * controls (U+0080-U+009F, which some terminals obey as 8-bit escapes) become `\xNN`; CR, and unless
 * `keepLayout` newline and tab, become `\r`, `\n`, `\t`. Printable text, backslashes included, is kept
 * as is, so escaping twice changes nothing.
 */
export function escapeControl(text: string, options: EscapeOptions = {}): string {
  const pattern = options.keepLayout ? CONTROLS_BUT_LAYOUT : ALL_CONTROLS;
  pattern.lastIndex = 0;
  return pattern.test(text) ? text.replace(pattern, escapeOne) : text;
}

/**
 * JSON text safe for a terminal, still the same JSON: `JSON.stringify` escapes C0 controls but writes DEL
 * and C1 controls raw; they can only occur inside strings, where `\u00NN` means the same character.
 */
export function escapeControlInJson(json: string): string {
  return json.replace(JSON_RAW_CONTROLS, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, "0")}`);
}
