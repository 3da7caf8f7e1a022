import { z } from 'zod';

/**
 * Request fields whose OpenAPI description says exactly what the parser accepts, so a client (or a
 * contract tester such as schemathesis) built from the document sends nothing the service refuses.
 */

/** A whole number in a query string, `min`…`max`: digits only (no sign, exponent, blanks or hex that a coercion would take). */
export function queryInteger({ min, max }: { min: number; max: number }) {
  return z
    .string()
    .regex(/^\d{1,9}$/, { error: 'must be a whole number' })
    .transform(Number)
    .pipe(z.number().min(min).max(max))
    .meta({ type: 'integer', minimum: min, maximum: max });
}

/** What String.prototype.trim removes, plus U+0085, spelled out so every regex engine reads the class alike. */
const BLANK = '\\t\\n\\v\\f\\r \\u0085\\u00a0\\u1680\\u2000-\\u200a\\u2028\\u2029\\u202f\\u205f\\u3000\\ufeff';
const NOT_BLANK = new RegExp(`[^${BLANK}]`);

/**
 * Free text of 1…max characters that is not blank, stored trimmed. Lengths count characters (code
 * points) as JSON Schema's maxLength does, not UTF-16 units as String.length does (an emoji is one).
 */
export function nonBlankText(max: number) {
  return z
    .string()
    .refine((text) => [...text].length <= max, { error: `must be at most ${max} characters` })
    .refine((text) => NOT_BLANK.test(text), { error: 'must not be blank' })
    .meta({ minLength: 1, maxLength: max, pattern: NOT_BLANK.source })
    .transform((text) => text.trim());
}

/** An atom of RFC 5322's dot-atom (without "/", which a regex source would have to escape). */
const ATOM_CHAR = "A-Za-z0-9!#$%&'*+=?^_`{|}~-";
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?';
/**
 * A dot-atom local part of at most 64 characters (not starting or ending with a dot) and a host name
 * of labels of at most 63 characters ending in a top-level domain of letters. Together with "no two
 * dots in a row" (not expressible without look-ahead; JSON Schema's `format: email` says it) the
 * addresses it accepts are `format: email` ones, so the document's rule and the service's are one. The
 * one gap: an IDNA label (`xn--…`) is not checked for valid punycode, as strict validators do.
 */
const EMAIL = `^[${ATOM_CHAR}](?:[.${ATOM_CHAR}]{0,62}[${ATOM_CHAR}])?@(?:${LABEL}\\.)+[A-Za-z]{2,63}$`;

export function emailAddress() {
  return z
    .string()
    .max(254)
    .regex(new RegExp(EMAIL), { error: 'must be an email address' })
    .refine((address) => !address.includes('..'), { error: 'must be an email address' })
    .meta({ format: 'email' });
}
