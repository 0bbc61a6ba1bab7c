export const PLUGIN_REGISTRY = Symbol('PLUGIN_REGISTRY');
