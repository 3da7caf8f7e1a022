/** Dependency-injection tokens: the only names classes are registered under. */
export const TOKENS = {
  Config: Symbol('Config'),
  Logger: Symbol('Logger'),
  Infrastructure: Symbol('Infrastructure'),
  Connection: Symbol('Connection'),
  Outbox: Symbol('Outbox'),
  OrderRepository: Symbol('OrderRepository'),
  OrderEvents: Symbol('OrderEvents'),
  OrderChangeNotifier: Symbol('OrderChangeNotifier'),
  OrderPlacementService: Symbol('OrderPlacementService'),
  OrderQueryService: Symbol('OrderQueryService'),
  OrderLifecycleService: Symbol('OrderLifecycleService'),
  PendingOrderSweeper: Symbol('PendingOrderSweeper'),
  InventoryEventsHandler: Symbol('InventoryEventsHandler'),
  OrderController: Symbol('OrderController'),
} as const;
