import type { OpenAPIObject, ReferenceObject, ResponseObject, SchemaObject } from '@nestjs/swagger';

/**
 * Checks a JSON value against a schema of the OpenAPI document — the same schema the
 * generated client's types come from — so a test can assert at runtime that a response
 * carries what the types promise. Covers what this API's document uses: local $refs,
 * allOf, oneOf (exactly one alternative must match), type, nullable, enum, required, properties, items, additionalProperties,
 * formats uuid and date-time. Strict about objects: a property the schema does not
 * name is reported, because a client's types would not know it either.
 */
export function schemaViolations(doc: OpenAPIObject, schema: SchemaObject | ReferenceObject, value: unknown, at = '$'): string[] {
  const s = flatten(doc, schema);
  if (s.oneOf) {
    const results = s.oneOf.map((alternative) => schemaViolations(doc, alternative, value, at));
    const matching = results.filter((problems) => !problems.length).length;
    if (matching === 1) return [];
    return matching
      ? [`${at}: matches ${matching} alternatives of oneOf, not exactly one`]
      : [`${at}: matches no alternative of oneOf (${results.map((p) => p.join('; ')).join(' | ')})`];
  }
  if (value === null) return s.nullable ? [] : [`${at}: null, but the schema is not nullable`];
  if (s.enum && !s.enum.includes(value)) return [`${at}: ${JSON.stringify(value)} is not one of ${JSON.stringify(s.enum)}`];
  const type = s.type ?? (s.properties ? 'object' : undefined);
  switch (type) {
    case 'object': {
      if (typeof value !== 'object' || Array.isArray(value)) return [`${at}: expected an object, got ${JSON.stringify(value)}`];
      const record = value as Record<string, unknown>;
      const problems = (s.required ?? []).filter((key) => !(key in record)).map((key) => `${at}.${key}: required but missing`);
      for (const [key, item] of Object.entries(record)) {
        const property = s.properties?.[key];
        if (property) problems.push(...schemaViolations(doc, property, item, `${at}.${key}`));
        else if (typeof s.additionalProperties === 'object')
          problems.push(...schemaViolations(doc, s.additionalProperties, item, `${at}.${key}`));
        else if (s.additionalProperties !== true) problems.push(`${at}.${key}: not in the schema`);
      }
      return problems;
    }
    case 'array':
      if (!Array.isArray(value)) return [`${at}: expected an array, got ${JSON.stringify(value)}`];
      return s.items ? value.flatMap((item, i) => schemaViolations(doc, s.items!, item, `${at}[${i}]`)) : [];
    case 'string':
      if (typeof value !== 'string') return [`${at}: expected a string, got ${JSON.stringify(value)}`];
      if (s.format === 'uuid' && !/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value))
        return [`${at}: not a uuid: ${value}`];
      if (
        s.format === 'date-time' &&
        !(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(value) && !Number.isNaN(Date.parse(value)))
      ) {
        return [`${at}: not an RFC 3339 date-time: ${value}`];
      }
      return [];
    case 'integer':
      return Number.isInteger(value) ? [] : [`${at}: expected an integer, got ${JSON.stringify(value)}`];
    case 'number':
      return typeof value === 'number' ? [] : [`${at}: expected a number, got ${JSON.stringify(value)}`];
    case 'boolean':
      return typeof value === 'boolean' ? [] : [`${at}: expected a boolean, got ${JSON.stringify(value)}`];
    default:
      return [];
  }
}

/** The JSON schema of one documented response (operation by path and method, and status). */
export function responseSchema(doc: OpenAPIObject, path: string, method: string, status: number): SchemaObject | ReferenceObject {
  const op = doc.paths[path]?.[method.toLowerCase() as 'get'];
  let response = op?.responses[String(status)] as ResponseObject | ReferenceObject | undefined;
  // Answers many operations share are written once under components/responses.
  while (response && '$ref' in response) response = doc.components?.responses?.[response.$ref.replace('#/components/responses/', '')];
  const schema = response?.content?.['application/json']?.schema;
  if (!schema) throw new Error(`${method} ${path} documents no JSON body for ${status}`);
  return schema;
}

function resolve(doc: OpenAPIObject, schema: SchemaObject | ReferenceObject): SchemaObject {
  let s = schema;
  while ('$ref' in s) {
    const name = s.$ref.replace('#/components/schemas/', '');
    const target = doc.components?.schemas?.[name];
    if (!target) throw new Error(`unresolved $ref ${s.$ref}`);
    s = target;
  }
  return s;
}

/** allOf → one object schema; a later member's property (the narrowed one) wins. */
function flatten(doc: OpenAPIObject, schema: SchemaObject | ReferenceObject): SchemaObject {
  const s = resolve(doc, schema);
  if (!s.allOf) return s;
  const merged: SchemaObject = { type: 'object', properties: {}, required: [] };
  for (const part of s.allOf.map((member) => flatten(doc, member))) {
    Object.assign(merged.properties!, part.properties);
    merged.required = [...new Set([...merged.required!, ...(part.required ?? [])])];
  }
  return merged;
}
