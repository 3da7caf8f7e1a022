import type { NewProduct } from '../domain/Product.js';

/** The demo catalog seeded into an empty database (SPEC §3), so the task file's curl example works. */
export const DEMO_CATALOG: readonly NewProduct[] = [
  'Wireless Mouse',
  'Mechanical Keyboard',
  'USB-C Hub',
  '27" Monitor',
  'Laptop Stand',
  'Noise-Cancelling Headphones',
  'HD Webcam',
  'Desk Lamp',
  'Portable SSD 1TB',
  'Ergonomic Chair',
].map((name, i) => ({ productId: String(i + 1), name, initial: 100 }));
