/** Dependency-injection tokens: the only names classes are registered under. */
export const TOKENS = {
  Config: Symbol('Config'),
  Logger: Symbol('Logger'),
  NotificationModel: Symbol('NotificationModel'),
  PreferencesModel: Symbol('PreferencesModel'),
  MockDeliveryModel: Symbol('MockDeliveryModel'),
  NotificationRepository: Symbol('NotificationRepository'),
  PreferencesRepository: Symbol('PreferencesRepository'),
  MockMailbox: Symbol('MockMailbox'),
  /** `() => number` in [0, 1): the mock providers' failure draws. */
  Random: Symbol('Random'),
  EmailProvider: Symbol('EmailProvider'),
  SmsProvider: Symbol('SmsProvider'),
  NotificationService: Symbol('NotificationService'),
  NotificationQueryService: Symbol('NotificationQueryService'),
  PreferencesService: Symbol('PreferencesService'),
  NotificationController: Symbol('NotificationController'),
  OrderEventsHandler: Symbol('OrderEventsHandler'),
} as const;
