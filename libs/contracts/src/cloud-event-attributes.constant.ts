/** The CloudEvents 1.0 context attributes Kabar knows, in the order it writes them. */
export const CONTEXT_ATTRIBUTES = ['specversion', 'id', 'source', 'type', 'subject', 'time', 'datacontenttype', 'dataschema'] as const;

export type ContextAttribute = (typeof CONTEXT_ATTRIBUTES)[number];

/**
 * True for a context attribute name.
 * @example isContextAttribute('subject') // true
 */
export function isContextAttribute(name: string): name is ContextAttribute {
  return (CONTEXT_ATTRIBUTES as readonly string[]).includes(name);
}

/** Spec: lowercase ASCII letters and digits; Kabar enforces the spec's 20-character recommendation. */
export const EXTENSION_NAME = /^[a-z0-9]{1,20}$/;
