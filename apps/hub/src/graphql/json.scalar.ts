import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

function fromAst(node: ValueNode): Json {
  switch (node.kind) {
    case Kind.STRING:
    case Kind.ENUM:
      return node.value;
    case Kind.BOOLEAN:
      return node.value;
    case Kind.INT:
    case Kind.FLOAT:
      return Number(node.value);
    case Kind.NULL:
      return null;
    case Kind.LIST:
      return node.values.map(fromAst);
    case Kind.OBJECT:
      return Object.fromEntries(node.fields.map((f) => [f.name.value, fromAst(f.value)]));
    case Kind.VARIABLE:
      throw new GraphQLError('variables inside JSON literals are not supported');
  }
}

const asObject = (value: unknown): Record<string, unknown> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new GraphQLError('expected a JSON object');
  return value as Record<string, unknown>;
};

/** Any JSON object (JSON Schemas, CloudEvents extensions). */
export const GraphQLJSONObject = new GraphQLScalarType({
  name: 'JSONObject',
  description: 'A JSON object.',
  serialize: asObject,
  parseValue: asObject,
  parseLiteral: (node) => asObject(fromAst(node)),
});

/** Any JSON value (CloudEvents `data`). */
export const GraphQLJSON = new GraphQLScalarType({
  name: 'JSON',
  description: 'Any JSON value.',
  serialize: (value: unknown) => value,
  parseValue: (value: unknown) => value,
  parseLiteral: (node) => fromAst(node),
});
