type Json = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

/** Every schema object in the document with its JSON pointer-ish path. */
function* schemas(node: unknown, path: string): Generator<[string, Json]> {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    for (const [i, item] of node.entries()) yield* schemas(item, `${path}/${i}`);
    return;
  }
  const object = node as Json;
  if ('nullable' in object || 'type' in object || 'properties' in object) yield [path, object];
  for (const [key, value] of Object.entries(object)) if (key !== 'example' && key !== 'examples') yield* schemas(value, `${path}/${key}`);
}

const TIMESTAMP_NAME = /(At|^from|^to)$/;

/** What generated clients need from the document, beyond what a linter checks; one line per fault. */
export function precisionFaults(document: Json): string[] {
  const faults: string[] = [];
  for (const [path, schema] of schemas(document, '#')) {
    if (schema.nullable && !schema.type && !schema.$ref && !schema.allOf && !schema.enum) faults.push(`${path}: nullable without a type`);
    if (schema.type === 'object' && schema.nullable && !schema.allOf && !schema.properties && !schema.additionalProperties) faults.push(`${path}: nullable empty object`);
  }
  for (const [path, schema] of schemas(document.components.schemas, '#/components/schemas')) {
    for (const [name, property] of Object.entries<Json>(schema.properties ?? {})) {
      if (TIMESTAMP_NAME.test(name) && property.type === 'string' && !property.enum && property.format !== 'date-time') faults.push(`${path}/properties/${name}: timestamp without format date-time`);
    }
  }
  for (const [path, item] of Object.entries<Json>(document.paths)) {
    for (const [method, operation] of Object.entries<Json>(item)) {
      for (const parameter of operation.parameters ?? []) if (!parameter.schema?.type) faults.push(`${method} ${path}: parameter ${parameter.name} without a type`);
      if (!path.startsWith('/api/v1/')) continue;
      const responses = operation.responses as Json;
      if (!responses['429']?.headers?.['Retry-After']) faults.push(`${method} ${path}: no 429 with Retry-After`);
      if (responses['202'] && !responses['202'].headers?.Location) faults.push(`${method} ${path}: 202 without Location`);
    }
  }
  return faults;
}
