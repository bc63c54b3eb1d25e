/**
 * Splitting the packed item cells plugins write, where reserved characters are backslash-escaped
 * (WooCommerce's order export: `\:` `\|` `\;` in items, `\=` `\,` in meta).
 */

/** Splits on `separator` where it is not escaped; escapes stay in the parts for the next split. */
export function splitUnescaped(text: string, separator: string): string[] {
  if (!text.includes('\\')) return text.split(separator);
  const parts: string[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\\') i++;
    else if (char === separator) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/** The first unescaped `separator`, or -1. */
export function indexOfUnescaped(text: string, separator: string): number {
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (char === '\\') i++;
    else if (char === separator) return i;
  }
  return -1;
}

export function unescape(text: string): string {
  return text.includes('\\') ? text.replace(/\\(.)/g, '$1') : text;
}

const ENTITIES: Readonly<Record<string, string>> = { amp: '&', quot: '"', apos: "'", lt: '<', gt: '>', nbsp: '\u00a0' };

/** BigCommerce writes option values HTML-escaped (`5&#039; 9&quot;`). */
export function decodeHtmlEntities(text: string): string {
  if (!text.includes('&')) return text;
  return text.replace(/&(#x[0-9a-f]+|#\d+|[a-z]+);/gi, (entity, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? Number.parseInt(body.slice(2), 16) : Number(body.slice(1));
      return Number.isFinite(code) && code <= 0x10ffff ? String.fromCodePoint(code) : entity;
    }
    return ENTITIES[body.toLowerCase()] ?? entity;
  });
}
