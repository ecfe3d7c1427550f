/** Monitoring counters of one CoAP endpoint. */

export interface CoapCounters {
  datagramsReceived: number;
  datagramsSent: number;
  bytesReceived: number;
  bytesSent: number;
  /** Datagrams that failed to parse or broke a message-layer rule; dropped or answered with RST. */
  malformed: number;
  /** Duplicate CON/NON messages detected within EXCHANGE_LIFETIME (never handed up twice). */
  duplicates: number;
  retransmissions: number;
  /** CON messages given up after MAX_RETRANSMIT. */
  transmitTimeouts: number;
  resetsSent: number;
  resetsReceived: number;
  /** ACKs and RSTs that matched nothing outstanding (silently ignored, RFC 7252 4.2). */
  unmatchedAcks: number;
  /** Responses that matched no pending request or observation (RST for CON/NON). */
  unmatchedResponses: number;
  requestsSent: number;
  requestsReceived: number;
  responsesSent: number;
  separateResponses: number;
  notificationsSent: number;
  notificationsReceived: number;
  /** Dedup entries pushed out by the size bound before EXCHANGE_LIFETIME. */
  dedupEvictions: number;
  handlerErrors: number;
  transportErrors: number;
}

export function createCounters(): CoapCounters {
  return {
    datagramsReceived: 0,
    datagramsSent: 0,
    bytesReceived: 0,
    bytesSent: 0,
    malformed: 0,
    duplicates: 0,
    retransmissions: 0,
    transmitTimeouts: 0,
    resetsSent: 0,
    resetsReceived: 0,
    unmatchedAcks: 0,
    unmatchedResponses: 0,
    requestsSent: 0,
    requestsReceived: 0,
    responsesSent: 0,
    separateResponses: 0,
    notificationsSent: 0,
    notificationsReceived: 0,
    dedupEvictions: 0,
    handlerErrors: 0,
    transportErrors: 0,
  };
}
