import fc from 'fast-check';
import { longString, numberToken, RawText, unicodeString, wrongType, type JsonNode } from './hostileJson.js';

/** What a request field accepts (mirrors the services' request schemas, SPEC §3). */
export type FieldKind =
  | { type: 'id' }
  | { type: 'int'; min: number; max: number }
  | { type: 'price'; max: number }
  | { type: 'text'; max: number }
  | { type: 'email' }
  | { type: 'orderPhone' }
  | { type: 'e164' }
  | { type: 'enum'; values: readonly string[] }
  | { type: 'channels' }
  | { type: 'orderLines' }
  | { type: 'contact' };

export interface FieldSpec {
  path: ReadonlyArray<string | number>;
  kind: FieldKind;
  required: boolean;
}

const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_-'.split('');
export const validId = (max = 64): fc.Arbitrary<string> => fc.string({ unit: fc.constantFrom(...ID_CHARS), minLength: 1, maxLength: max });

/** Characters an id may not contain: separators, operators, path tricks, control and non-ASCII characters. */
const BAD_ID_CHARS = [
  ' ',
  '.',
  '$',
  '/',
  '\\',
  '%',
  '\u0000',
  'é',
  '😀',
  '{',
  '"',
  "'",
  '\n',
  '*',
  '..',
  '?',
  '#',
  '&',
  '=',
  '+',
  ':',
  '@',
];

const whitespaceOnly = fc
  .array(fc.constantFrom(' ', '\t', '\n', '\r', '\u00a0', '\u2003', '\ufeff'), { minLength: 1, maxLength: 10 })
  .map((s) => s.join(''));

/**
 * Values the field certainly refuses. Every generator here is invalid by construction (not "probably
 * invalid"), so a 2xx for a body carrying one is a real finding, not a lucky valid value.
 */
export function invalidValue(kind: FieldKind): fc.Arbitrary<JsonNode> {
  switch (kind.type) {
    case 'id':
      return fc.oneof(
        fc.constant(''),
        validId(64).map((s) => s.padEnd(65, 'x')),
        longString(65, 2_000, ['a', '0', '-']),
        fc.tuple(validId(10), fc.constantFrom(...BAD_ID_CHARS), validId(10)).map(([a, bad, b]) => `${a}${bad}${b}`),
        unicodeString().map((s) => `${s}é`),
        wrongType('string'),
      );
    case 'int':
      return fc.oneof(
        fc.constant(kind.min - 1),
        fc.integer({ min: kind.max + 1, max: Number.MAX_SAFE_INTEGER }),
        fc.integer({ min: -1_000_000_000, max: kind.min - 1 }),
        fc.integer({ min: kind.min, max: Math.min(kind.max, 1_000_000) - 1 }).map((n) => n + 0.5),
        fc.integer({ min: kind.min, max: Math.min(kind.max, 1_000_000) - 1 }).map((n) => n + 0.001),
        fc.constantFrom(1e21, 1e308, -1e308, Number.MAX_SAFE_INTEGER + 2),
        numberToken(),
        wrongType('number'),
      );
    case 'price':
      return fc.oneof(
        fc.constantFrom(0, -0.01, -1, 1e-7, kind.max + 0.01, 1e21, 1e308),
        fc.integer({ min: -1_000_000_000, max: -1 }).map((c) => c / 100),
        // Three decimals that matter: k/1000 with k not a multiple of 10 prints as x.yyz.
        fc
          .integer({ min: 1, max: 999_999_999 })
          .filter((k) => k % 10 !== 0)
          .map((k) => k / 1000),
        fc.integer({ min: kind.max * 100 + 1, max: Number.MAX_SAFE_INTEGER }).map((c) => c / 100),
        numberToken(),
        wrongType('number'),
      );
    case 'text':
      return fc.oneof(
        fc.constant(''),
        whitespaceOnly,
        longString(kind.max + 1, kind.max + 3_000, ['x', 'é']),
        // Lengths count characters, as JSON Schema's maxLength does: max + 1 emoji is too long, max is not.
        fc.integer({ min: kind.max + 1, max: kind.max + 100 }).map((n) => '😀'.repeat(n)),
        wrongType('string'),
      );
    case 'email':
      return fc.oneof(
        fc.constantFrom(
          'not-an-email',
          '@',
          'a@',
          '@b.co',
          'a@b',
          'a b@c.de',
          'a@@b.co',
          '"a"@b',
          'a@b..co',
          '<script>@x',
          'a@-b.co',
          'a@b.c',
        ),
        longString(250, 400, ['a']).map((s) => `${s}@example.com`),
        unicodeString().map((s) => `${s}@`),
        wrongType('string'),
      );
    case 'orderPhone':
      return fc.oneof(
        fc.constantFrom('', '+', '12', 'abc', '+1 555 CALL NOW', '()()', '+-12345', '0'.repeat(40), '+1\n5555555'),
        unicodeString().map((s) => `x${s}`),
        wrongType('string'),
      );
    case 'e164':
      return fc.oneof(
        fc.constantFrom('0123456789', '+0123456789', '+1 415 555 0123', '+1234567890123456', '14155550123', '+1-415', '+', '', '+12345'),
        unicodeString().map((s) => `+1${s}x`),
        wrongType('string'),
      );
    case 'enum':
      return fc.oneof(
        fc.string({ maxLength: 20 }).filter((s) => !kind.values.includes(s)),
        fc
          .constantFrom(...kind.values)
          .map((v) => v.toLowerCase())
          .filter((s) => !kind.values.includes(s)),
        fc.constantFrom(...kind.values).map((v) => ` ${v}`),
        fc.constantFrom(...kind.values).map((v) => [v] as JsonNode),
        wrongType('string'),
      );
    case 'channels':
      return fc.oneof(
        fc.constantFrom<JsonNode>(
          [],
          ['email', 'email'],
          ['fax'],
          ['EMAIL'],
          'email',
          [1],
          [null],
          { 0: 'email' },
          ['sms', 'sms', 'email'],
          ['email', 'sms', 'email'],
        ),
        wrongType('array'),
      );
    case 'orderLines':
      return fc.oneof(
        fc.constantFrom<JsonNode>([], [1], ['x'], [null], [[]], { 0: { productId: '1', quantity: 1, price: 1 } }),
        fc.constant<JsonNode>(Array.from({ length: 101 }, (_, i) => ({ productId: `p${i}`, quantity: 1, price: 1 }))),
        wrongType('array'),
      );
    case 'contact':
      return fc.oneof(fc.constantFrom<JsonNode>('x', [], 1, true, null), fc.constant(new RawText('"a@b.co"')));
  }
}
