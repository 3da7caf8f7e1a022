import 'reflect-metadata';
import pino from 'pino';
import { container as rootContainer, type DependencyContainer } from 'tsyringe';
import { registerComponents } from '../../src/container.js';
import type { Product } from '../../src/services/ports/ProductRepository.js';
import { TOKENS } from '../../src/tokens.js';
import { FakeProductRepository } from './FakeProductRepository.js';
import { FakeReservationRepository } from './FakeReservationRepository.js';

/** The real services on in-memory repositories: a child container with the fakes swapped in. */
export function unitContainer(products: Product[] = []): { container: DependencyContainer; products: FakeProductRepository; reservations: FakeReservationRepository } {
  const app = registerComponents(rootContainer.createChildContainer());
  app.registerInstance(TOKENS.Logger, pino({ level: 'silent' }));
  app.registerInstance(TOKENS.Config, { HOLD_RECONCILE_INTERVAL_MS: 60_000 });
  const container = app.createChildContainer();
  const fakes = { products: new FakeProductRepository(products), reservations: new FakeReservationRepository() };
  container.registerInstance(TOKENS.ProductRepository, fakes.products);
  container.registerInstance(TOKENS.ReservationRepository, fakes.reservations);
  return { container, ...fakes };
}
