/** Dependency-injection tokens: the only names classes are registered under. */
export const TOKENS = {
  Config: Symbol('Config'),
  Logger: Symbol('Logger'),
  Outbox: Symbol('Outbox'),
  OrderModel: Symbol('OrderModel'),
  OrderRepository: Symbol('OrderRepository'),
  OrderEvents: Symbol('OrderEvents'),
  OrderChangeNotifier: Symbol('OrderChangeNotifier'),
  PendingOrderSnapshots: Symbol('PendingOrderSnapshots'),
  OrderPlacementService: Symbol('OrderPlacementService'),
  OrderQueryService: Symbol('OrderQueryService'),
  OrderLifecycleService: Symbol('OrderLifecycleService'),
  PendingOrderSweeper: Symbol('PendingOrderSweeper'),
  InventoryEventsHandler: Symbol('InventoryEventsHandler'),
  OrderController: Symbol('OrderController'),
} as const;
