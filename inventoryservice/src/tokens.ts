/** Dependency-injection tokens: the only names classes are registered under. */
export const TOKENS = {
  Config: Symbol('Config'),
  Logger: Symbol('Logger'),
  Outbox: Symbol('Outbox'),
  ProductModel: Symbol('ProductModel'),
  ReservationModel: Symbol('ReservationModel'),
  ProductRepository: Symbol('ProductRepository'),
  ReservationRepository: Symbol('ReservationRepository'),
  InventoryEvents: Symbol('InventoryEvents'),
  InventoryService: Symbol('InventoryService'),
  ReservationService: Symbol('ReservationService'),
  HoldReconciler: Symbol('HoldReconciler'),
  InventoryController: Symbol('InventoryController'),
  OrderEventsHandler: Symbol('OrderEventsHandler'),
} as const;
