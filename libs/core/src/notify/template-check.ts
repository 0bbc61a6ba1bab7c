import Handlebars from 'handlebars';

/** Helpers a template may use: Handlebars' built-ins plus Kabar's formatting helpers (registered in the renderer). */
export const ALLOWED_HELPERS = new Set(['if', 'unless', 'each', 'with', 'lookup', 'formatDate', 'formatNumber', 'upper']);

export interface TemplateProblem {
  readonly field: 'subject' | 'body' | 'html';
  readonly message: string;
}

type Node = hbs.AST.Node;

/**
 * Finds what would fail or mislead at send time: syntax errors, unknown helpers, and variables that the event
 * type's JSON Schema does not declare (a typo would otherwise render as an empty string to a citizen).
 * @example checkTemplate('body', 'Pajak {{amount}} jatuh tempo {{formatDate due}}', schema) // []
 */
export function checkTemplate(field: TemplateProblem['field'], source: string, dataSchema: Readonly<Record<string, unknown>>): TemplateProblem[] {
  let program: hbs.AST.Program;
  try {
    program = Handlebars.parse(source);
  } catch (error) {
    return [{ field, message: `does not parse: ${error instanceof Error ? error.message.split('\n')[0] ?? '' : String(error)}` }];
  }
  const problems: TemplateProblem[] = [];
  const visit = (node: Node, scopes: readonly string[][]): void => {
    switch (node.type) {
      case 'Program':
        for (const child of (node as hbs.AST.Program).body) visit(child, scopes);
        return;
      case 'MustacheStatement':
      case 'SubExpression': {
        const call = node as hbs.AST.MustacheStatement;
        const name = pathOf(call.path);
        // Handlebars leaves `hash` undefined when a call has no key=value arguments, despite its type.
        const hash = call.hash as hbs.AST.Hash | undefined;
        if (call.params.length > 0 || (hash?.pairs.length ?? 0) > 0) {
          if (name !== undefined && !ALLOWED_HELPERS.has(name)) problems.push({ field, message: `unknown helper "${name}"` });
          for (const param of call.params) visit(param, scopes);
        } else if (name !== undefined) checkVariable(name, scopes);
        return;
      }
      case 'BlockStatement': {
        const block = node as hbs.AST.BlockStatement;
        const name = pathOf(block.path);
        if (name === undefined || !ALLOWED_HELPERS.has(name)) problems.push({ field, message: `unknown helper "${name ?? '?'}"` });
        for (const param of block.params) visit(param, scopes);
        // Inside {{#each list}} or {{#with obj}} the context changes; names there resolve against the item schema.
        const inner = (name === 'each' || name === 'with') && block.params[0] !== undefined ? [...scopes, itemPath(block.params[0], name)] : scopes;
        visit(block.program, inner);
        // Handlebars leaves `inverse` undefined without an {{else}}, despite its type.
        const inverse = block.inverse as hbs.AST.Program | undefined;
        if (inverse !== undefined) visit(inverse, scopes);
        return;
      }
      case 'PathExpression':
        checkVariable((node as hbs.AST.PathExpression).original, scopes);
        return;
      case 'PartialStatement':
      case 'PartialBlockStatement':
      case 'DecoratorBlock':
      case 'Decorator':
        problems.push({ field, message: 'partials and decorators are not allowed' });
        return;
      default:
        return;
    }
  };
  const checkVariable = (name: string, scopes: readonly string[][]): void => {
    if (name === 'this' || name.startsWith('@') || name.startsWith('../')) return;
    const scope = scopes.at(-1) ?? [];
    if (!schemaHasPath(dataSchema, [...scope, ...name.replace(/^this\./, '').split('.')])) {
      problems.push({ field, message: `"${name}" is not a field of the event type's data schema` });
    }
  };
  visit(program, [[]]);
  return problems;
}

function pathOf(node: Node): string | undefined {
  return node.type === 'PathExpression' ? (node as hbs.AST.PathExpression).original : undefined;
}

/** `{{#each items}}` → the path of one item, marked with `[]`; `{{#with owner}}` → the path of the object. */
function itemPath(param: Node, helper: string): string[] {
  const path = pathOf(param)?.split('.') ?? [];
  return helper === 'each' ? [...path, '[]'] : path;
}

function schemaHasPath(schema: Readonly<Record<string, unknown>>, path: readonly string[]): boolean {
  let current: unknown = schema;
  for (const segment of path) {
    if (typeof current !== 'object' || current === null) return false;
    const node = current as { properties?: Record<string, unknown>; items?: unknown; additionalProperties?: unknown };
    if (segment === '[]') {
      current = node.items;
      continue;
    }
    const next = node.properties?.[segment];
    if (next === undefined) return false;
    current = next;
  }
  return true;
}
