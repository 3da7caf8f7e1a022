import { ConflictError, NotFoundError } from '@orderplatform/shared/errors';
import { describe, expect, it } from 'vitest';
import { unitService } from '../../test/support/serviceHarness.js';
import { createService } from '../src/createService.js';
import type { InventoryService } from '../src/services/InventoryService.js';
import { TOKENS } from '../src/tokens.js';
import { balances, buildProduct, fakeRepositories } from './support/builders.js';
import { FakeProductRepository } from './support/FakeProductRepository.js';

function arrange(...products: Parameters<typeof buildProduct>[0][]) {
  const fakes = fakeRepositories(products.map(buildProduct));
  const { container } = unitService(createService, { register: fakes.register });
  return { ...fakes, service: container.resolve<InventoryService>(TOKENS.InventoryService) };
}

describe('InventoryService', () => {
  it('creates an unknown product with the given units as its initial stock', async () => {
    const { service } = arrange();

    const { product, created } = await service.setStock('new-1', { name: 'Cable', available: 7 });

    expect(created).toBe(true);
    expect(product).toEqual({ productId: 'new-1', name: 'Cable', available: 7, reserved: 0, sold: 0, initial: 7, restocked: 0 });
  });

  it('restocking sets available exactly and books the difference as restocked, leaving reserved and sold alone', async () => {
    const { service } = arrange({ productId: 'A', available: 3, reserved: 5, sold: 2, initial: 10 });

    const up = await service.setStock('A', { available: 20 });
    const down = await service.setStock('A', { available: 1, name: 'Renamed' });

    expect(up.product).toMatchObject({ available: 20, reserved: 5, sold: 2, restocked: 17 });
    expect(down.product).toMatchObject({ name: 'Renamed', available: 1, restocked: -2 });
    expect(balances(down.product)).toBe(true);
  });

  it('when a reservation changes the stock between read and write, applies the new target on the fresh value', async () => {
    const products = new FakeProductRepository([buildProduct({ productId: 'A', available: 10 })]);
    let raced = false;
    const racing = Object.assign(Object.create(products) as FakeProductRepository, {
      setAvailable: async (id: string, expected: number, next: number, name?: string) => {
        if (!raced) {
          raced = true;
          await products.hold('A', 'racing-order', 3, 'racing-run'); // a reservation lands between the read and the write
        }
        return products.setAvailable(id, expected, next, name);
      },
    });
    const { container } = unitService(createService, { register: (c) => c.registerInstance(TOKENS.ProductRepository, racing) });
    const service = container.resolve<InventoryService>(TOKENS.InventoryService);

    const { product } = await service.setStock('A', { available: 50 });

    expect(product).toMatchObject({ available: 50, reserved: 3, restocked: 43 });
    expect(balances(products.snapshot('A')!)).toBe(true);
  });

  it('gives up with 409 when the stock keeps changing', async () => {
    const products = new FakeProductRepository([buildProduct({ productId: 'A' })]);
    const stuck = Object.assign(Object.create(products) as FakeProductRepository, { setAvailable: async () => null });
    const { container } = unitService(createService, { register: (c) => c.registerInstance(TOKENS.ProductRepository, stuck) });

    await expect(container.resolve<InventoryService>(TOKENS.InventoryService).setStock('A', { available: 1 })).rejects.toBeInstanceOf(
      ConflictError,
    );
  });

  it('an unknown product is a 404 with a stable code', async () => {
    const { service } = arrange();

    await expect(service.get('nope')).rejects.toMatchObject({ code: 'INVENTORY.PRODUCT_NOT_FOUND' });
    await expect(service.get('nope')).rejects.toBeInstanceOf(NotFoundError);
  });

  it('seeds products "1" to "10" with 100 units into an empty catalog, and never into a non-empty one', async () => {
    const empty = arrange();
    const stocked = arrange({ productId: 'X' });

    expect(await empty.service.seedDemoCatalog()).toBe(10);
    expect(await empty.service.seedDemoCatalog()).toBe(0);
    expect(await stocked.service.seedDemoCatalog()).toBe(0);

    const catalog = await empty.service.list();
    expect(catalog.map((p) => p.productId).sort((a, b) => Number(a) - Number(b))).toEqual([
      '1',
      '2',
      '3',
      '4',
      '5',
      '6',
      '7',
      '8',
      '9',
      '10',
    ]);
    expect(catalog.every((p) => p.available === 100 && p.initial === 100 && p.name.length > 0)).toBe(true);
  });
});
