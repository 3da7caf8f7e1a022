import fc from 'fast-check';
import type { BodySpec } from './endpoints.js';
import { invalidValue } from './fieldKinds.js';
import { deeplyNested, longString, nosqlOperator, PROTOTYPE_KEYS, RawObject, toJsonText, type JsonNode } from './hostileJson.js';

type Path = ReadonlyArray<string | number>;

export interface Mutation {
  /** What was done, for the failure report. */
  what: string;
  body: JsonNode;
  /** Leading whitespace bytes before the JSON text. */
  padding?: number;
}

function clone(node: JsonNode): JsonNode {
  return structuredClone(node);
}

function parentOf(root: JsonNode, path: Path): { parent: Record<string, JsonNode> | JsonNode[]; key: string | number } {
  let node: JsonNode = root;
  for (const key of path.slice(0, -1)) node = (node as Record<string, JsonNode>)[key as string] as JsonNode;
  return { parent: node as Record<string, JsonNode>, key: path[path.length - 1]! };
}

function setAt(root: JsonNode, path: Path, value: JsonNode): JsonNode {
  if (path.length === 0) return value;
  const copy = clone(root);
  const { parent, key } = parentOf(copy, path);
  (parent as Record<string, JsonNode>)[key as string] = value;
  return copy;
}

function dropAt(root: JsonNode, path: Path): JsonNode {
  const copy = clone(root);
  const { parent, key } = parentOf(copy, path);
  delete (parent as Record<string, JsonNode>)[key as string];
  return copy;
}

/** Adds an own key to the object at `path` (as raw JSON, so `__proto__` stays an own key). */
function addKey(root: JsonNode, path: Path, key: string, value: JsonNode): JsonNode {
  let target: JsonNode = root;
  for (const k of path) target = (target as Record<string, JsonNode>)[k as string] as JsonNode;
  const raw = new RawObject([...Object.entries(target as Record<string, JsonNode>), [key, value]]);
  return setAt(root, path, raw);
}

const known = (spec: BodySpec, at: Path): Set<string> =>
  new Set(
    spec.fields.filter((f) => f.path.length === at.length + 1 && at.every((k, i) => f.path[i] === k)).map((f) => String(f.path[at.length])),
  );

/**
 * A valid body made invalid in one way — every mutation here is refused by a strict schema whatever
 * the random values: a required field dropped; a field replaced by a value of the wrong type or out
 * of range (huge, negative, fractional, 3-decimal, NaN-ish, unicode where an id is expected, too
 * long); an unknown key; a MongoDB operator or a prototype key anywhere; nesting 50–5000 deep.
 */
export function mutatedBody(spec: BodySpec): fc.Arbitrary<Mutation> {
  const required = spec.fields.filter((f) => f.required);
  const mutations: Array<fc.Arbitrary<(body: JsonNode) => Mutation>> = [
    fc.constantFrom(...spec.fields).chain((field) =>
      invalidValue(field.kind).map((value) => (body: JsonNode) => ({
        what: `${field.path.join('.')} = invalid`,
        body: setAt(body, field.path, value),
      })),
    ),
    fc
      .tuple(
        fc.constantFrom(...spec.objects),
        fc.oneof(
          fc.string({ maxLength: 30 }),
          fc.constantFrom('_id', 'id', 'status', 'totalAmount', 'isAdmin', 'outbox', 'a.b', '$set', ''),
        ),
        fc.jsonValue(),
      )
      .map(([at, key, value]) => (body: JsonNode) => {
        const name = known(spec, at).has(key) ? `${key}_extra` : key;
        return {
          what: `extra key ${JSON.stringify(name)} at ${at.join('.') || '(root)'}`,
          body: addKey(body, at, name, value as JsonNode),
        };
      }),
    fc
      .tuple(fc.constantFrom(...spec.fields), nosqlOperator())
      .map(([field, op]) => (body: JsonNode) => ({ what: `${field.path.join('.')} = operator`, body: setAt(body, field.path, op) })),
    fc
      .tuple(
        fc.constantFrom(...spec.objects),
        fc.constantFrom(...PROTOTYPE_KEYS),
        fc.constantFrom<JsonNode>({ polluted: true }, { prototype: { isAdmin: true } }, 'x'),
      )
      .map(([at, key, value]) => (body: JsonNode) => ({
        what: `prototype key ${key} at ${at.join('.') || '(root)'}`,
        body: addKey(body, at, key, value),
      })),
    fc
      .tuple(fc.constantFrom(...spec.fields), deeplyNested())
      .map(([field, deep]) => (body: JsonNode) => ({ what: `${field.path.join('.')} nested deep`, body: setAt(body, field.path, deep) })),
    fc
      .tuple(fc.constantFrom(...spec.objects), longString(1, 200, ['k']), fc.constantFrom(...PROTOTYPE_KEYS))
      .map(([at, pad, key]) => (body: JsonNode) => ({
        what: `prototype key ${key} nested at ${at.join('.') || '(root)'}`,
        body: addKey(body, at, `${pad}_`, new RawObject([[key, { polluted: true }]])),
      })),
  ];
  if (required.length > 0) {
    mutations.push(
      fc
        .constantFrom(...required)
        .map((field) => (body: JsonNode) => ({ what: `${field.path.join('.')} dropped`, body: dropAt(body, field.path) })),
    );
  }
  return fc.tuple(spec.valid, fc.oneof(...mutations)).map(([body, mutate]) => mutate(body));
}

/** The same valid body grown past the 64 KB limit: a long field, an extra long key, or leading whitespace. */
export function hugeBody(spec: BodySpec): fc.Arbitrary<Mutation> {
  const topLevel = spec.fields.filter((f) => f.path.length === 1);
  return fc
    .tuple(
      spec.valid,
      fc.constantFrom(...topLevel),
      fc.integer({ min: 65 * 1024, max: 300 * 1024 }),
      fc.constantFrom('field', 'extra', 'whitespace'),
    )
    .map(([body, field, size, how]): Mutation => {
      if (how === 'field') return { what: `${field.path.join('.')} of ${size} chars`, body: setAt(body, field.path, 'x'.repeat(size)) };
      if (how === 'extra') return { what: `extra key with ${size} chars`, body: addKey(body, [], 'padding', 'y'.repeat(size)) };
      return { what: `${size} bytes of leading whitespace`, body, padding: size };
    });
}

/** The request body text of a mutation. */
export const mutationText = (m: Mutation): string => ' '.repeat(m.padding ?? 0) + toJsonText(m.body);
