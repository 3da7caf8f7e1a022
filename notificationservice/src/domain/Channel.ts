/** The ways the platform reaches a customer (SPEC §3). */
export const CHANNELS = ['email', 'sms'] as const;

export type Channel = (typeof CHANNELS)[number];
