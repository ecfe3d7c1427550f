/**
 * Requests for an IoT device behind a gateway (LwM2M Gateway TS 1.1 8.3.1, 9): the prefix is the
 * first Uri-Path segment, treated as an alternate path, and part of SenML names. The device's engine
 * sees the request without it and answers as any engine does; its answer gets the prefix back.
 */
import { IncomingRequest } from '../coap/incoming.ts';
import { CoapOption, type CoapOptionEntry, type CoapResponse } from '../coap/message.ts';
import { stringOption } from '../coap/options.ts';
import { ContentFormat } from '../codec/content-format.ts';
import { UnsupportedFormatError } from '../errors.ts';
import { hasSenmlNames, prefixSenmlNames, stripSenmlNames } from './prefix-names.ts';
import { contentFormatOption } from './operations/common.ts';

/**
 * The request as the IoT device's engine sees it: first Uri-Path segment (the prefix) removed, and
 * the prefix taken off the names of a SenML payload. LwM2M CBOR carries prefixes in a grammar this
 * engine does not write: asked for, it is 4.06; sent, 4.15. Throws CodecError for a bad SenML pack.
 */
export function deviceRequest(request: IncomingRequest, prefix: string): IncomingRequest {
  if (request.accept === ContentFormat.LWM2M_CBOR) throw new UnsupportedFormatError('LwM2M CBOR is not offered for IoT devices; use SenML', { format: ContentFormat.LWM2M_CBOR, accept: true });
  const format = request.contentFormat;
  if (format === ContentFormat.LWM2M_CBOR) throw new UnsupportedFormatError('LwM2M CBOR is not accepted for IoT devices; use SenML', { format });
  let dropped = false;
  const options: CoapOptionEntry[] = [];
  for (const o of request.message.options) {
    if (!dropped && o.number === CoapOption.URI_PATH) {
      dropped = true;
      continue;
    }
    options.push(o);
  }
  const payload = hasSenmlNames(format) && request.block1 === undefined ? stripSenmlNames(request.payload, format!, prefix) : request.payload;
  const message = { ...request.message, options, payload };
  return new IncomingRequest(message, request.peer, request.channel, payload, request.block1, {
    get signal() {
      return request.signal;
    },
    create: () => request.acceptObservation(),
  });
}

/**
 * The device engine's response with the prefix back: in SenML names, and before the Location-Path
 * of a Create (the prefix is an alternate path, Gateway TS 1.1 8.3.1).
 */
export function deviceResponse(response: CoapResponse, prefix: string): CoapResponse {
  const options = response.options;
  if (options === undefined || options.length === 0) return response;
  let format: number | undefined;
  let location = -1;
  for (let i = 0; i < options.length; i++) {
    const o = options[i]!;
    if (o.number === CoapOption.CONTENT_FORMAT) format = contentFormatOf(o);
    else if (o.number === CoapOption.LOCATION_PATH && location < 0) location = i;
  }
  let out = response;
  if (hasSenmlNames(format) && response.payload !== undefined && response.code >> 5 === 2) {
    out = { ...out, payload: prefixSenmlNames(response.payload, format!, prefix) };
  }
  if (location >= 0) {
    out = { ...out, options: [...options.slice(0, location), stringOption(CoapOption.LOCATION_PATH, prefix), ...options.slice(location)] };
  }
  return out;
}

function contentFormatOf(o: CoapOptionEntry): number | undefined {
  for (const f of [ContentFormat.SENML_JSON, ContentFormat.SENML_CBOR]) {
    const known = contentFormatOption(f).value;
    if (known.length === o.value.length && known.every((b, i) => b === o.value[i])) return f;
  }
  return undefined;
}
