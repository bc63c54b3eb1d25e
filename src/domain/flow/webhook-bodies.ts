/**
 * The webhook bodies of the live flow, in Klaviyo's template language (Django's), written so that the
 * flow stores what `compute --mode flow` computes. Each fixes one of the recipe's defects:
 *  1. numbers are compared as numbers: `value > stored`, never the `floatformat` strings, which compare
 *     as text ("999" < "1000" is false);
 *  2. the order value is stored as it is (`floatformat:"0"` stored 130 for 129.99);
 *  3. a size date is written once, however many items of that size the order has (`ifchanged` with a
 *     constant lets only the first matching item through);
 *  4. a size property is sent only when the order has that size, so an earlier date is never
 *     overwritten with "" (the separators come from a `cycle`, so the JSON stays valid whichever
 *     sizes are present).
 * Every string taken from the profile or the event goes through `escapejs`, whose `\uXXXX` escapes are
 * valid JSON: an address such as o'brien@example.com would otherwise reach Klaviyo HTML-escaped.
 * The body is Create Client Profile's (and profile-import's) JSON:API profile.
 */
import type { SizeDefinition, WindowDefinition } from '../definitions.js';
import { NOW, templateAccess, type EventFields } from './event-fields.js';

/** A size as the template sees it: its property and every lower-cased option value that names it. */
export interface SizeTemplate {
  readonly size: SizeDefinition;
  readonly names: readonly string[];
}

const EMAIL = '{{ person.email|escapejs }}';

function valueExpression(fields: EventFields): string {
  // An event without a value counts as 0, as in the recipe.
  return `${templateAccess('event', fields.value)}|default:0`;
}

function dateExpression(fields: EventFields): string {
  // Unix seconds, a form Klaviyo reads as a date, whatever the account's time zone.
  return fields.date === NOW ? '{% now "U" %}' : `{{ ${templateAccess('event', fields.date)}|escapejs }}`;
}

/** The JSON:API profile; `properties` is the text inside the properties object, undefined for none. */
function profileBody(properties: string | undefined): string {
  const attributes = properties === undefined ? `"email": "${EMAIL}"` : `"email": "${EMAIL}",\n      "properties": {${properties}\n      }`;
  return `{\n  "data": {\n    "type": "profile",\n    "attributes": {\n      ${attributes}\n    }\n  }\n}`;
}

const lines = (entries: readonly string[]): string => `\n${entries.join(',\n')}`;

const property = (name: string, template: string): string => `        ${JSON.stringify(name)}: ${template}`;

/** Yes branch (the only order in the window): this order is the highest. */
export function firstOrderBody(window: WindowDefinition, fields: EventFields): string {
  return profileBody(lines([property(window.valueProperty, `{{ ${valueExpression(fields)} }}`), property(window.dateProperty, `"${dateExpression(fields)}"`)]));
}

/**
 * No branch (other orders in the window): stored only if greater than the stored value, or when
 * nothing is stored yet (orders at the same instant all take this branch, the first one included).
 * A webhook cannot be cancelled, so otherwise the body names the profile and sets nothing.
 */
export function compareBody(window: WindowDefinition, fields: EventFields): string {
  const stored = `person|lookup:'${window.valueProperty}'`;
  const update = profileBody(lines([property(window.valueProperty, '{{ value }}'), property(window.dateProperty, `"${dateExpression(fields)}"`)]));
  return (
    `{% with value=${valueExpression(fields)} stored=${stored} %}` +
    `{% if value > stored or stored == '' or stored == None %}\n${update}\n{% else %}\n${profileBody(undefined)}\n{% endif %}{% endwith %}`
  );
}

/** The size webhook: `<size>_order_date` for each size the order has, and nothing for the others. */
export function sizeDatesBody(sizes: readonly SizeTemplate[], fields: EventFields): string {
  const items = templateAccess('event', fields.items);
  const itemSize = templateAccess('item', fields.itemSize);
  // The first value is taken by the declaration; then '' for the first size written, ',' after it.
  const separators = ["''", "''", ...sizes.slice(1).map(() => "','")].join(' ');
  const entries = sizes.map(({ size, names }) => {
    const matches = names.map((name) => `${itemSize}|lower == "${name}"`).join(' or ');
    return (
      `{% for item in ${items} %}{% if ${matches} %}{% ifchanged "${size.size}" %}` +
      `{% cycle separator %}{{ separator }}\n${property(size.dateProperty, `"${dateExpression(fields)}"`)}` +
      `{% endifchanged %}{% endif %}{% endfor %}`
    );
  });
  // A space after the object's brace: `{{%` would open a variable tag.
  return `{% cycle ${separators} as separator silent %}${profileBody(` ${entries.join('')}`)}`;
}

/** The sizes as the size webhook matches them, from the same matcher `compute` reads items with. */
export function sizeTemplates(sizes: readonly SizeDefinition[], namesOf: (size: string) => readonly string[]): SizeTemplate[] {
  return sizes.map((size) => ({ size, names: namesOf(size.size) }));
}

/** A property name or size value a template cannot quote (a quote, backslash or brace), if any. */
export function unquotableName(windows: readonly WindowDefinition[], sizes: readonly SizeTemplate[]): string | undefined {
  const names = [...windows.flatMap((w) => [w.valueProperty, w.dateProperty]), ...sizes.flatMap((s) => [s.size.dateProperty, s.size.size, ...s.names])];
  return names.find((name) => /['"\\{}%]/.test(name));
}
