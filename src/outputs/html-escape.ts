import { sanitize } from './sanitize.js';

/**
 * Markup that is already safe. Only `html` and `trusted` make one, so a wire string can reach
 * the page only through `escapeHtml`.
 */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

// Bidirectional overrides and isolates: an SNI or subject holding them would be displayed
// reversed (`lmth.exe` read as `exe.html`), so they are dropped with the control characters.
const BIDI = /[\u202a-\u202e\u2066-\u2069]/g;
const SPECIAL = /[&<>"']/g;
const ENTITY: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for element content and double- or single-quoted attribute values. */
export function escapeHtml(s: string): string {
  return sanitize(s).replace(BIDI, '').replace(SPECIAL, (c) => ENTITY[c]!);
}

export type HtmlValue = Html | string | number | boolean | null | undefined | readonly HtmlValue[];

function piece(v: HtmlValue): string {
  if (v instanceof Html) return v.markup;
  if (Array.isArray(v)) return v.map(piece).join('');
  if (v === null || v === undefined || v === false) return '';
  return escapeHtml(String(v));
}

/** Tagged template: the literal parts are markup, every interpolation is escaped unless it is `Html`. */
export function html(strings: TemplateStringsArray, ...values: HtmlValue[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += piece(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** For markup this program wrote itself (the style sheet); never for record content. */
export function trusted(markup: string): Html {
  return new Html(markup);
}
