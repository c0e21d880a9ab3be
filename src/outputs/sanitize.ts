/** C0 controls (ESC included), DEL and C1 controls: a terminal would act on them. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/g;

/** A wire-derived string made safe for a terminal: control characters removed. */
export function sanitize(s: string): string {
  CONTROL.lastIndex = 0;
  return CONTROL.test(s) ? s.replace(CONTROL, '') : s;
}

/** `sanitize` over every string of a JSON-like value (records about to be shown). */
export function sanitizeDeep<T>(value: T): T {
  if (typeof value === 'string') return sanitize(value) as T;
  if (Array.isArray(value)) return value.map((v) => sanitizeDeep(v)) as T;
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[sanitize(k)] = sanitizeDeep(v);
    return out as T;
  }
  return value;
}
