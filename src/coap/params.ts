/**
 * Transmission parameters (RFC 7252 4.8) and the time values derived from them (RFC 7252 4.8.2),
 * per endpoint: there are no globals. All times are in milliseconds.
 */

export interface CoapParams {
  /** ACK_TIMEOUT, default 2000 ms. */
  readonly ackTimeout: number;
  /** ACK_RANDOM_FACTOR, default 1.5 (>= 1). */
  readonly ackRandomFactor: number;
  /** MAX_RETRANSMIT, default 4. */
  readonly maxRetransmit: number;
  /** NSTART: outstanding interactions per peer, default 1. */
  readonly nstart: number;
  /** DEFAULT_LEISURE, default 5000 ms (multicast; kept for completeness). */
  readonly defaultLeisure: number;
  /** PROBING_RATE in bytes/second, default 1. */
  readonly probingRate: number;
  /** MAX_LATENCY, default 100 000 ms. */
  readonly maxLatency: number;
  /** PROCESSING_DELAY, default ACK_TIMEOUT. */
  readonly processingDelay: number;
  /** MAX_TRANSMIT_SPAN = ACK_TIMEOUT * (2^MAX_RETRANSMIT - 1) * ACK_RANDOM_FACTOR (45 s by default). */
  readonly maxTransmitSpan: number;
  /** MAX_TRANSMIT_WAIT = ACK_TIMEOUT * (2^(MAX_RETRANSMIT + 1) - 1) * ACK_RANDOM_FACTOR (93 s). */
  readonly maxTransmitWait: number;
  /** MAX_RTT = 2 * MAX_LATENCY + PROCESSING_DELAY (202 s). */
  readonly maxRtt: number;
  /** EXCHANGE_LIFETIME = MAX_TRANSMIT_SPAN + 2 * MAX_LATENCY + PROCESSING_DELAY (247 s). */
  readonly exchangeLifetime: number;
  /** NON_LIFETIME = MAX_TRANSMIT_SPAN + MAX_LATENCY (145 s). */
  readonly nonLifetime: number;
}

/** The base parameters an endpoint may set; derived values may be overridden too. */
export type CoapParamsInit = Partial<CoapParams>;

/**
 * Computes a complete, checked parameter set from the defaults of RFC 7252 4.8 and overrides.
 * Without overrides it returns the shared DEFAULT_PARAMS (frozen), so endpoints on the defaults
 * hold no copy of their own.
 */
export function resolveParams(init: CoapParamsInit = {}): CoapParams {
  for (const key in init) if (init[key as keyof CoapParamsInit] !== undefined) return build(init);
  return DEFAULT_PARAMS;
}

function build(init: CoapParamsInit): CoapParams {
  const ackTimeout = init.ackTimeout ?? 2000;
  const ackRandomFactor = init.ackRandomFactor ?? 1.5;
  const maxRetransmit = init.maxRetransmit ?? 4;
  const nstart = init.nstart ?? 1;
  const maxLatency = init.maxLatency ?? 100_000;
  const processingDelay = init.processingDelay ?? ackTimeout;
  check(ackTimeout > 0, 'ackTimeout must be > 0');
  check(ackRandomFactor >= 1, 'ackRandomFactor must be >= 1');
  check(Number.isInteger(maxRetransmit) && maxRetransmit >= 0 && maxRetransmit <= 20, 'maxRetransmit must be an integer 0..20');
  check(Number.isInteger(nstart) && nstart >= 1, 'nstart must be an integer >= 1');
  const maxTransmitSpan = init.maxTransmitSpan ?? ackTimeout * (2 ** maxRetransmit - 1) * ackRandomFactor;
  const maxTransmitWait = init.maxTransmitWait ?? ackTimeout * (2 ** (maxRetransmit + 1) - 1) * ackRandomFactor;
  const maxRtt = init.maxRtt ?? 2 * maxLatency + processingDelay;
  const exchangeLifetime = init.exchangeLifetime ?? maxTransmitSpan + 2 * maxLatency + processingDelay;
  const nonLifetime = init.nonLifetime ?? maxTransmitSpan + maxLatency;
  return Object.freeze({
    ackTimeout,
    ackRandomFactor,
    maxRetransmit,
    nstart,
    defaultLeisure: init.defaultLeisure ?? 5000,
    probingRate: init.probingRate ?? 1,
    maxLatency,
    processingDelay,
    maxTransmitSpan,
    maxTransmitWait,
    maxRtt,
    exchangeLifetime,
    nonLifetime,
  });
}

function check(ok: boolean, message: string): void {
  if (!ok) throw new RangeError(`invalid CoAP parameters: ${message}`);
}

/** The RFC 7252 defaults. */
export const DEFAULT_PARAMS: CoapParams = build({});
