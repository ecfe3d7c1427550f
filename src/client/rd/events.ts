/**
 * Application events of the RD client, with the seed's names and meaning (Zephyr's
 * LWM2M_RD_CLIENT_EVENT_*). Every event names the server it concerns by short server id when one
 * applies (bootstrap events carry the bootstrap account's ssid when it has one).
 */
export const RD_EVENT_TYPES = [
  'NONE',
  'BOOTSTRAP_REG_FAILURE',
  'BOOTSTRAP_REG_COMPLETE',
  'BOOTSTRAP_TRANSFER_COMPLETE',
  'REGISTRATION_FAILURE',
  'REGISTRATION_COMPLETE',
  'REG_TIMEOUT',
  'REG_UPDATE_COMPLETE',
  'DEREGISTER_FAILURE',
  'DISCONNECT',
  'QUEUE_MODE_RX_OFF',
  'ENGINE_SUSPENDED',
  'NETWORK_ERROR',
  'REG_UPDATE',
  'DEREGISTER',
  'SERVER_DISABLED',
] as const;

export type RdEventType = (typeof RD_EVENT_TYPES)[number];

export interface RdEvent {
  readonly type: RdEventType;
  /** Short server id of the server the event concerns. */
  readonly ssid?: number;
  /** Human-readable cause for failure events (e.g. "4.03 Forbidden", "timeout", "bad URI"). */
  readonly reason?: string;
}
