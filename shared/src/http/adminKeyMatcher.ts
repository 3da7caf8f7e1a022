import { createHash, timingSafeEqual } from 'node:crypto';

const sha256 = (value: string): Buffer => createHash('sha256').update(value, 'utf8').digest();

/**
 * Whether an offered key is the admin key. Both sides are hashed first so the comparison is
 * constant-time and does not reveal the key's length.
 */
export function adminKeyMatcher(expectedKey: string): (offered: string) => boolean {
  const expectedDigest = sha256(expectedKey);
  return (offered) => timingSafeEqual(sha256(offered), expectedDigest);
}
