/**
 * Where the flow's webhooks read the order from: the Placed Order event's property names. The
 * recipe's own event has `$value`, `created_at` and `items[].Size`; a Shopify or custom integration
 * names them differently, so each is configurable. The date may also be the time the flow runs
 * (Django's `now` tag), as the recipe suggests.
 */
export const NOW = 'now';

export interface EventFields {
  /** Path of the order value, `$value`. */
  readonly value: string;
  /** Path of the order date, `created_at`; or `now`: the time the webhook is rendered. */
  readonly date: string;
  /** Path of the list of line items, `items`. */
  readonly items: string;
  /** Key of an item's size, `Size`: it must hold the size itself (`small`, `S`), not a variant title. */
  readonly itemSize: string;
}

export const RECIPE_EVENT_FIELDS: EventFields = { value: '$value', date: 'created_at', items: 'items', itemSize: 'Size' };

/** Template variable names Django accepts after a dot: no leading underscore, no punctuation. */
const PLAIN_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
/** Characters that would end a `lookup:'...'` literal or a template tag. */
const UNQUOTABLE = /['"\\{}%|]/;

/**
 * A template expression for `path` under `root`: `event.created_at`, or `event|lookup:'$value'` for a
 * name Django's dot syntax cannot hold (Klaviyo documents `lookup` for those). A dotted path is a
 * nested property: `$extra.line_items` is `event|lookup:'$extra'|lookup:'line_items'`.
 */
export function templateAccess(root: string, path: string): string {
  let expression = root;
  let dotted = true;
  for (const segment of path.split('.')) {
    // Once a filter is applied, Django allows no more dots: every later segment is a lookup too.
    if (dotted && PLAIN_NAME.test(segment)) expression += `.${segment}`;
    else {
      dotted = false;
      expression += `|lookup:'${segment}'`;
    }
  }
  return expression;
}

/** What is wrong with a path for a template (empty segments, quotes, braces), if anything. */
export function pathProblem(path: string): string | undefined {
  if (path.split('.').some((segment) => segment.trim() === '')) return `"${path}" has an empty part`;
  if (UNQUOTABLE.test(path)) return `"${path}" holds one of ' " \\ { } % |, which a template cannot quote`;
  return undefined;
}

/** `items[].Size` -> the items path and the size key; undefined when it is not of that form. */
export function parseItemSizePath(text: string): { items: string; itemSize: string } | undefined {
  const match = /^(.+)\[\]\.([^.[\]]+)$/.exec(text.trim());
  if (match === null) return undefined;
  return { items: match[1]!, itemSize: match[2]! };
}

export function describeItemSizePath(fields: EventFields): string {
  return `${fields.items}[].${fields.itemSize}`;
}

/** The first problem with a set of event fields, if any. */
export function eventFieldsProblem(fields: EventFields): string | undefined {
  for (const path of [fields.value, fields.date === NOW ? undefined : fields.date, fields.items, fields.itemSize]) {
    if (path === undefined) continue;
    const problem = pathProblem(path);
    if (problem !== undefined) return problem;
  }
  if (fields.itemSize.includes('.')) return `the item size key "${fields.itemSize}" must be one key, not a path`;
  return undefined;
}
