import fc from 'fast-check';

/**
 * JSON the fuzzer writes as text, so it can say what JSON.stringify cannot: own `__proto__` keys,
 * duplicate keys, and number tokens such as 1e400 or 9007199254740993.
 */
export class RawObject {
  constructor(readonly entries: ReadonlyArray<readonly [string, JsonNode]>) {}
}

/** Literal JSON text (or deliberately not JSON) placed where a value goes. */
export class RawText {
  constructor(readonly text: string) {}
}

export type JsonNode = null | boolean | number | string | JsonNode[] | { [key: string]: JsonNode } | RawObject | RawText;

export function toJsonText(node: JsonNode): string {
  if (node instanceof RawText) return node.text;
  if (node instanceof RawObject) return `{${node.entries.map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`).join(',')}}`;
  if (Array.isArray(node)) return `[${node.map(toJsonText).join(',')}]`;
  if (node !== null && typeof node === 'object')
    return `{${Object.entries(node)
      .map(([k, v]) => `${JSON.stringify(k)}:${toJsonText(v)}`)
      .join(',')}}`;
  return JSON.stringify(node) ?? 'null';
}

/** fc.jsonValue() as a JsonNode (its values are plain JSON). */
export const anyJson = (): fc.Arbitrary<JsonNode> => fc.jsonValue() as fc.Arbitrary<JsonNode>;

/** MongoDB query operators a naive `find(req.body)` or `find(req.query)` would obey. */
export const NOSQL_OPERATORS: JsonNode[] = [
  { $gt: '' },
  { $ne: null },
  { $where: 'sleep(1000)' },
  { $where: 'function() { while (true) {} }' },
  { $regex: '.*' },
  { $in: ['1', '2'] },
  { $exists: true },
  { $expr: { $eq: [1, 1] } },
  { $function: { body: 'function() { return true }', args: [], lang: 'js' } },
  { $or: [{ a: 1 }, { $where: '1' }] },
  { status: { $ne: 'CANCELLED' } },
  { 'a.b': 1 },
];
export const nosqlOperator = (): fc.Arbitrary<JsonNode> => fc.constantFrom(...NOSQL_OPERATORS);

/**
 * Query-string spellings of the same operators. `forbidden` ones (`$`-prefixed or dotted keys) must
 * be refused by the key guard everywhere; bracket forms (`?customerId[$ne]=x`) are plain keys to the
 * simple query parser, refused by strict query schemas and ignored where a route reads no query.
 */
export const nosqlQueryKey = (field: string): fc.Arbitrary<{ key: string; forbidden: boolean }> =>
  fc.oneof(
    fc.constantFrom('$where', '$gt', `$${field}`, `${field}.$ne`, `${field}.a`).map((key) => ({ key, forbidden: true })),
    fc
      .constantFrom(`${field}[$ne]`, `${field}[$gt]`, `${field}[$regex]`, `${field}[$where]`, `${field}[][$ne]`, `${field}[0][$in]`)
      .map((key) => ({ key, forbidden: false })),
  );

export const PROTOTYPE_KEYS = ['__proto__', 'constructor', 'prototype'] as const;

/** An object with a prototype key as an own key (raw JSON text, so it survives as written). */
export const prototypePollution = (): fc.Arbitrary<RawObject> =>
  fc
    .tuple(
      fc.constantFrom(...PROTOTYPE_KEYS),
      fc.constantFrom<JsonNode>({ polluted: true }, { prototype: { polluted: true } }, { isAdmin: true, status: 'SHIPPED' }, 1, 'x', null),
    )
    .map(([key, value]) => new RawObject([[key, value]]));

/** Nested arrays / objects `depth` levels deep (depth 50–5000 by default), as raw text. */
export const deeplyNested = (minDepth = 50, maxDepth = 5_000): fc.Arbitrary<RawText> =>
  fc.tuple(fc.integer({ min: minDepth, max: maxDepth }), fc.constantFrom('array', 'object', 'mixed')).map(([depth, shape]) => {
    const open: string[] = [];
    const close: string[] = [];
    for (let i = 0; i < depth; i++) {
      const array = shape === 'array' || (shape === 'mixed' && i % 2 === 0);
      open.push(array ? '[' : '{"a":');
      close.push(array ? ']' : '}');
    }
    return new RawText(`${open.join('')}1${close.reverse().join('')}`);
  });

/** A string of `min`–`max` characters (cheap to build at any size). */
export const longString = (
  min: number,
  max: number,
  chars: readonly string[] = ['x', 'é', '😀', ' ', '"', '\\', '\u0000', '\u202e'],
): fc.Arbitrary<string> =>
  fc
    .tuple(fc.integer({ min, max }), fc.constantFrom(...chars))
    .map(([length, ch]) => ch.repeat(Math.ceil(length / ch.length)).slice(0, Math.max(length, 1)));

/** Strings that look numeric to a careless parser. */
export const NAN_ISH = [
  'NaN',
  'Infinity',
  '-Infinity',
  '1e400',
  '0x1F',
  '1_000',
  ' 1 ',
  '١٢٣',
  '1.005',
  '-0',
  'null',
  'undefined',
  'true',
  '',
  '5',
  '2.5',
  '1e3',
];
export const nanIshString = (): fc.Arbitrary<string> => fc.constantFrom(...NAN_ISH);

/** Number tokens that JSON.parse reads as Infinity, -Infinity, 0 or a rounded integer. */
export const numberToken = (): fc.Arbitrary<RawText> =>
  fc.constantFrom('1e400', '-1e400', '1e-400', '9007199254740993', '123456789012345678901234567890').map((t) => new RawText(t));

/** Unicode of every kind: astral, combining, bidi overrides, NUL, lone surrogates. */
export const unicodeString = (maxLength = 40): fc.Arbitrary<string> =>
  fc.oneof(
    fc.string({ unit: 'binary', minLength: 1, maxLength }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength }),
    fc.constantFrom('\u202eevil', 'a\u0000b', '\ud800', 'Ω≈ç√∫', '😀😀', 'e\u0301', '\ufeff', '𝕏'),
  );

/** Values of every JSON type, for "wrong type" mutations; `not` excludes the expected type. */
export function wrongType(not: 'string' | 'number' | 'array' | 'object' | 'boolean'): fc.Arbitrary<JsonNode> {
  const options: Array<fc.Arbitrary<JsonNode>> = [fc.constant(null), nosqlOperator(), prototypePollution()];
  if (not !== 'string') options.push(fc.string({ maxLength: 20 }), nanIshString());
  if (not !== 'number') options.push(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }));
  if (not !== 'boolean') options.push(fc.boolean());
  if (not !== 'array') options.push(fc.array(fc.jsonValue() as fc.Arbitrary<JsonNode>, { maxLength: 3 }));
  if (not !== 'object') options.push(fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue() as fc.Arbitrary<JsonNode>, { maxKeys: 3 }));
  return fc.oneof(...options);
}
