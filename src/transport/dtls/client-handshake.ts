/**
 * The client side of the DTLS 1.2 handshake (RFC 6347 4.2, RFC 5246 7.3): ClientHello with cookie
 * retry (HelloVerifyRequest), PSK (RFC 4279) and ECDHE_ECDSA (RFC 8422) key exchange, server
 * authentication by X.509 chain or raw public key (RFC 7250), optional client authentication,
 * extended master secret (RFC 7627), connection ID (RFC 9146) and session resumption.
 */
import { X509Certificate, createPublicKey, type KeyObject } from 'node:crypto';
import { isIP } from 'node:net';
import { isCbcSuite, type CipherSuiteInfo } from './cipher-suites.ts';
import {
  AlertDescription,
  CERTIFICATE_TYPE_ECDSA_SIGN,
  CertificateType,
  DTLS_1_0,
  DTLS_1_2,
  EC_CURVE_TYPE_NAMED,
  EMPTY_RENEGOTIATION_INFO_SCSV,
  ExtensionType,
  HandshakeType,
  NAMED_GROUP_SECP256R1,
  POINT_FORMAT_UNCOMPRESSED,
  SIGNATURE_ECDSA_SHA256,
} from './constants.ts';
import { alertError } from './bytes.ts';
import type { ClientConfig } from './config.ts';
import { isP256, verifyCertificateChain } from './credentials.ts';
import { newEphemeralKey, signSha256, verifySha256 } from './ecdhe.ts';
import {
  findExtension,
  opaque8,
  parseOpaque8,
  parseU8List,
  serverNameExtension,
  u16List,
  u8List,
  type Extension,
} from './extensions.ts';
import type { FlightEntry } from './flight.ts';
import { HandshakeBase, unexpected, type HandshakeIO } from './handshake-base.ts';
import {
  decodeCertificateList,
  decodeCertificateRequest,
  decodeEcdheServerKeyExchange,
  decodeHelloVerifyRequest,
  decodeOpaque16,
  decodeRawPublicKey,
  decodeServerHello,
  encodeCertificateList,
  encodeClientHello,
  encodeOpaque16,
  encodeOpaque8,
  encodeRawPublicKey,
  encodeSigned,
  type CertificateRequest,
  type ClientHello,
} from './messages.ts';
import type { PeerCredentials } from './options.ts';
import { extendedMasterSecret, masterSecret, pskPreMasterSecret } from './prf.ts';
import type { HandshakeMessage } from './reassembler.ts';
import { protectionsFor } from './record-protection.ts';
import type { DtlsSessionState } from './session-cache.ts';

type State = 'hello' | 'server-flight' | 'wait-finished' | 'abbreviated-wait-finished';

const MAX_HELLO_VERIFY = 4;

export class ClientHandshake extends HandshakeBase {
  readonly #cfg: ClientConfig;
  #state: State = 'hello';
  #hello: ClientHello;
  readonly #resume: DtlsSessionState | undefined;
  #helloVerifies = 0;
  #offeredExtensions = new Set<number>();
  #ownCid: Buffer | undefined;
  #serverCertType: number = CertificateType.x509;
  #clientCertType: number = CertificateType.x509;
  #serverKey: KeyObject | undefined;
  #serverCertificate: Buffer | undefined;
  #serverRpk: Buffer | undefined;
  #serverPoint: Buffer | undefined;
  #pskHint: Buffer | undefined;
  #pskIdentity: string | undefined;
  #certRequest: CertificateRequest | undefined;
  #sessionId: Buffer = Buffer.alloc(0);
  #sni: string | undefined;

  /** `ownCid` is the connection ID we ask for (RFC 9146), when connection IDs are on. */
  constructor(io: HandshakeIO, config: ClientConfig, resume: DtlsSessionState | undefined, ownCid?: Buffer) {
    super(io, config);
    this.#cfg = config;
    this.#ownCid = ownCid;
    this.#resume = resume !== undefined && config.suites.includes(resume.suite) ? resume : undefined;
    this.clientRandom = HandshakeBase.random(config.clock);
    this.#hello = this.#buildHello();
  }

  /** Sends the first ClientHello (flight 1). */
  start(): void {
    this.io.sendFlight([this.outgoing(HandshakeType.clientHello, encodeClientHello(this.#hello))], false);
  }

  #buildHello(): ClientHello {
    const cfg = this.#cfg;
    const extensions: Extension[] = [];
    const add = (type: number, data: Buffer): void => {
      extensions.push({ type, data });
      this.#offeredExtensions.add(type);
    };
    const ecdhe = cfg.suites.some((s) => s.keyExchange === 'ecdhe_ecdsa');
    this.#sni = sniHostName(cfg.serverName);
    if (this.#sni !== undefined) add(ExtensionType.serverName, serverNameExtension(this.#sni));
    if (ecdhe) {
      add(ExtensionType.supportedGroups, u16List([NAMED_GROUP_SECP256R1]));
      add(ExtensionType.ecPointFormats, u8List([POINT_FORMAT_UNCOMPRESSED]));
      add(ExtensionType.signatureAlgorithms, u16List([SIGNATURE_ECDSA_SHA256]));
      if (cfg.rawPublicKey !== undefined) {
        const canX509Server = cfg.trustedCAs.length > 0 || cfg.pinned !== undefined;
        add(ExtensionType.serverCertificateType, u8List(canX509Server ? [CertificateType.rawPublicKey, CertificateType.x509] : [CertificateType.rawPublicKey]));
        add(ExtensionType.clientCertificateType, u8List(cfg.certificate !== undefined ? [CertificateType.rawPublicKey, CertificateType.x509] : [CertificateType.rawPublicKey]));
      }
    }
    // RFC 7366 2: offered with a block cipher suite; offered on resumption too, so that a server
    // falling back to a full handshake can still choose it.
    if (cfg.encryptThenMac && cfg.suites.some(isCbcSuite)) add(ExtensionType.encryptThenMac, Buffer.alloc(0));
    add(ExtensionType.extendedMasterSecret, Buffer.alloc(0));
    if (cfg.connectionId) {
      this.#ownCid ??= Buffer.alloc(0);
      add(ExtensionType.connectionId, opaque8(this.#ownCid));
    }
    // Secure renegotiation is signalled with the SCSV (RFC 5746 3.3); the server may answer with the extension.
    this.#offeredExtensions.add(ExtensionType.renegotiationInfo);
    return {
      version: DTLS_1_2,
      random: this.clientRandom,
      sessionId: this.#resume?.id ?? Buffer.alloc(0),
      cookie: Buffer.alloc(0),
      cipherSuites: [...cfg.suites.map((s) => s.id), EMPTY_RENEGOTIATION_INFO_SCSV],
      compressionMethods: [0],
      extensions,
    };
  }

  protected expectingChangeCipherSpec(): boolean {
    return this.#state === 'wait-finished' || this.#state === 'abbreviated-wait-finished';
  }

  protected handle(msg: HandshakeMessage): void {
    switch (this.#state) {
      case 'hello':
        if (msg.msgType === HandshakeType.helloVerifyRequest) this.#onHelloVerifyRequest(msg);
        else if (msg.msgType === HandshakeType.serverHello) this.#onServerHello(msg);
        else unexpected(msg, 'waiting for ServerHello');
        return;
      case 'server-flight':
        this.#onServerFlight(msg);
        return;
      case 'wait-finished':
      case 'abbreviated-wait-finished':
        if (msg.msgType !== HandshakeType.finished) unexpected(msg, 'waiting for Finished');
        this.#onServerFinished(msg);
        return;
    }
  }

  #onHelloVerifyRequest(msg: HandshakeMessage): void {
    const hvr = decodeHelloVerifyRequest(msg.body);
    if (hvr.version !== DTLS_1_2 && hvr.version !== DTLS_1_0) throw alertError(AlertDescription.protocolVersion, 'HelloVerifyRequest with an unknown version');
    if (hvr.cookie.length === 0 || ++this.#helloVerifies > MAX_HELLO_VERIFY) throw alertError(AlertDescription.illegalParameter, 'bad HelloVerifyRequest');
    // RFC 6347 4.2.1: the first ClientHello and the HelloVerifyRequest are not part of the transcript.
    this.transcript = [];
    this.#hello = { ...this.#hello, cookie: Buffer.from(hvr.cookie) };
    this.io.sendFlight([this.outgoing(HandshakeType.clientHello, encodeClientHello(this.#hello))], false);
  }

  #onServerHello(msg: HandshakeMessage): void {
    const sh = decodeServerHello(msg.body);
    this.received(msg);
    if (sh.version !== DTLS_1_2) throw alertError(AlertDescription.protocolVersion, `server chose version 0x${sh.version.toString(16)}`);
    const suite = this.#cfg.suites.find((s) => s.id === sh.cipherSuite);
    if (suite === undefined) throw alertError(AlertDescription.illegalParameter, `server chose a cipher suite we did not offer (0x${sh.cipherSuite.toString(16)})`);
    if (sh.compressionMethod !== 0) throw alertError(AlertDescription.illegalParameter, 'server chose compression');
    for (const e of sh.extensions) {
      if (!this.#offeredExtensions.has(e.type)) throw alertError(AlertDescription.unsupportedExtension, `server sent extension ${e.type} we did not offer`);
    }
    const ri = findExtension(sh.extensions, ExtensionType.renegotiationInfo);
    if (ri !== undefined && parseOpaque8(ri, 'renegotiation_info').length !== 0) throw alertError(AlertDescription.handshakeFailure, 'non-empty renegotiation_info');
    const ems = findExtension(sh.extensions, ExtensionType.extendedMasterSecret) !== undefined;
    if (!ems && this.#cfg.requireExtendedMasterSecret) throw alertError(AlertDescription.handshakeFailure, 'server does not support the extended master secret');
    const sni = findExtension(sh.extensions, ExtensionType.serverName);
    if (sni !== undefined && sni.length !== 0) throw alertError(AlertDescription.decodeError, 'server_name of a ServerHello must be empty');
    const etmExt = findExtension(sh.extensions, ExtensionType.encryptThenMac);
    if (etmExt !== undefined && etmExt.length !== 0) throw alertError(AlertDescription.decodeError, 'encrypt_then_mac of a ServerHello must be empty');
    // RFC 7366 3: never with an AEAD suite.
    if (etmExt !== undefined && !isCbcSuite(suite)) throw alertError(AlertDescription.illegalParameter, 'server chose encrypt-then-MAC with an AEAD cipher suite');
    const etm = etmExt !== undefined;
    const pf = findExtension(sh.extensions, ExtensionType.ecPointFormats);
    if (pf !== undefined && !parseU8List(pf, 'ec_point_formats').includes(POINT_FORMAT_UNCOMPRESSED)) throw alertError(AlertDescription.illegalParameter, 'server does not accept uncompressed points');
    const sct = findExtension(sh.extensions, ExtensionType.serverCertificateType);
    if (sct !== undefined) this.#serverCertType = certificateTypeChoice(sct);
    const cct = findExtension(sh.extensions, ExtensionType.clientCertificateType);
    if (cct !== undefined) this.#clientCertType = certificateTypeChoice(cct);
    const cid = findExtension(sh.extensions, ExtensionType.connectionId);
    if (cid !== undefined) {
      const peerCid = parseOpaque8(cid, 'connection_id');
      this.io.setConnectionIds(this.#ownCid !== undefined && this.#ownCid.length > 0 ? this.#ownCid : undefined, peerCid.length > 0 ? Buffer.from(peerCid) : undefined);
    }
    this.suite = suite;
    this.serverRandom = Buffer.from(sh.random);
    this.extendedMasterSecret = ems;
    this.encryptThenMac = etm;
    this.#sessionId = Buffer.from(sh.sessionId);
    const resume = this.#resume;
    if (resume !== undefined && sh.sessionId.length > 0 && sh.sessionId.equals(resume.id)) {
      if (resume.suite !== suite) throw alertError(AlertDescription.illegalParameter, 'resumed session with another cipher suite');
      // RFC 7627 5.3: a resumption must keep the extended-master-secret property of the session.
      if (resume.extendedMasterSecret !== ems) throw alertError(AlertDescription.handshakeFailure, 'extended master secret differs from the resumed session');
      // RFC 7366 3.1: a resumed session keeps its MAC order.
      if (resume.encryptThenMac !== etm) throw alertError(AlertDescription.handshakeFailure, 'encrypt-then-MAC differs from the resumed session');
      this.masterSecret = resume.masterSecret;
      this.#installKeys(suite);
      this.#state = 'abbreviated-wait-finished';
      return;
    }
    this.#state = 'server-flight';
  }

  #installKeys(suite: CipherSuiteInfo): void {
    const keys = protectionsFor(suite, this.masterSecret!, this.clientRandom, this.serverRandom, 'client', this.encryptThenMac);
    this.io.setWriteProtection(1, keys.write);
    this.pendingRead = keys.read;
  }

  #onServerFlight(msg: HandshakeMessage): void {
    const suite = this.suite!;
    const ecdhe = suite.keyExchange === 'ecdhe_ecdsa';
    switch (msg.msgType) {
      case HandshakeType.certificate:
        if (!ecdhe || this.#serverKey !== undefined) unexpected(msg, 'in the server flight');
        this.received(msg);
        this.#onServerCertificate(msg.body);
        return;
      case HandshakeType.serverKeyExchange:
        if (ecdhe) {
          if (this.#serverKey === undefined || this.#serverPoint !== undefined) unexpected(msg, 'before the server certificate');
          this.#onEcdheKeyExchange(msg.body);
        } else {
          if (this.#pskHint !== undefined) unexpected(msg, 'after the identity hint');
          this.#pskHint = Buffer.from(decodeOpaque16(msg.body, 'psk_identity_hint'));
        }
        this.received(msg);
        return;
      case HandshakeType.certificateRequest:
        if (!ecdhe || this.#serverPoint === undefined || this.#certRequest !== undefined) unexpected(msg, 'in the server flight');
        this.#certRequest = decodeCertificateRequest(msg.body);
        this.received(msg);
        return;
      case HandshakeType.serverHelloDone:
        if (msg.body.length !== 0) throw alertError(AlertDescription.decodeError, 'ServerHelloDone with a body');
        if (ecdhe && this.#serverPoint === undefined) unexpected(msg, 'before ServerKeyExchange');
        this.received(msg);
        this.#sendKeyExchange();
        return;
      default:
        unexpected(msg, 'in the server flight');
    }
  }

  #onServerCertificate(body: Buffer): void {
    const cfg = this.#cfg;
    const now = cfg.clock.wallTime();
    let key: KeyObject;
    let chain: X509Certificate[] | undefined;
    if (this.#serverCertType === CertificateType.rawPublicKey) {
      const spki = decodeRawPublicKey(body);
      try {
        key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
      } catch (error) {
        throw alertError(AlertDescription.badCertificate, 'server raw public key does not parse', error);
      }
      const rpk = cfg.rawPublicKey;
      const known = rpk !== undefined && (rpk.trusted.some((t) => t.equals(spki)) || rpk.verify?.(spki, this.io.peer) === true);
      if (!known && cfg.authorize === undefined) throw alertError(AlertDescription.badCertificate, 'server raw public key is not trusted');
      this.#serverRpk = Buffer.from(spki);
    } else {
      const ders = decodeCertificateList(body);
      try {
        chain = ders.map((d) => new X509Certificate(d));
      } catch (error) {
        throw alertError(AlertDescription.badCertificate, 'server certificate does not parse', error);
      }
      const leaf = chain[0];
      if (leaf === undefined) throw alertError(AlertDescription.badCertificate, 'server sent no certificate');
      if (cfg.pinned !== undefined && leaf.raw.equals(cfg.pinned.raw)) {
        verifyCertificateChain([leaf], { trusted: [cfg.pinned], now });
      } else if (cfg.trustedCAs.length > 0) {
        verifyCertificateChain(chain, { trusted: cfg.trustedCAs, now, host: cfg.checkServerName ? cfg.serverName : undefined });
      } else if (cfg.authorize === undefined) {
        throw alertError(cfg.pinned !== undefined ? AlertDescription.badCertificate : AlertDescription.unsupportedCertificate, 'server certificate is not the pinned one');
      }
      key = leaf.publicKey;
      this.#serverCertificate = Buffer.from(leaf.raw);
    }
    if (!isP256(key)) throw alertError(AlertDescription.unsupportedCertificate, 'server key is not a P-256 key');
    const credentials: PeerCredentials = {
      secure: true,
      ...(this.#serverCertificate !== undefined ? { peerCertificate: this.#serverCertificate } : {}),
      ...(this.#serverRpk !== undefined ? { rawPublicKey: this.#serverRpk } : {}),
      ...(chain !== undefined ? { peerChain: chain } : {}),
    };
    if (cfg.authorize !== undefined && !cfg.authorize(credentials, this.io.peer)) throw alertError(AlertDescription.accessDenied, 'server credentials refused by authorize()');
    this.#serverKey = key;
  }

  #onEcdheKeyExchange(body: Buffer): void {
    const ske = decodeEcdheServerKeyExchange(body);
    if (ske.curveType !== EC_CURVE_TYPE_NAMED || ske.namedCurve !== NAMED_GROUP_SECP256R1) throw alertError(AlertDescription.illegalParameter, 'server chose a curve other than secp256r1');
    if (ske.signatureScheme !== SIGNATURE_ECDSA_SHA256) throw alertError(AlertDescription.illegalParameter, 'server signed with an algorithm we did not offer');
    const signed = Buffer.concat([this.clientRandom, this.serverRandom, ske.params]);
    if (!verifySha256(this.#serverKey!, signed, ske.signature)) throw alertError(AlertDescription.decryptError, 'ServerKeyExchange signature does not verify');
    this.#serverPoint = Buffer.from(ske.publicKey);
  }

  #sendKeyExchange(): void {
    const cfg = this.#cfg;
    const suite = this.suite!;
    const entries: FlightEntry[] = [];
    let signer: KeyObject | undefined;
    if (this.#certRequest !== undefined) {
      const req = this.#certRequest;
      const canSign = req.certificateTypes.includes(CERTIFICATE_TYPE_ECDSA_SIGN) && req.signatureSchemes.includes(SIGNATURE_ECDSA_SHA256);
      let body: Buffer = encodeCertificateList([]);
      if (this.#clientCertType === CertificateType.rawPublicKey && cfg.rawPublicKey !== undefined && canSign) {
        body = encodeRawPublicKey(cfg.rawPublicKey.spki);
        signer = cfg.rawPublicKey.key;
      } else if (this.#clientCertType === CertificateType.x509 && cfg.certificate !== undefined && canSign) {
        body = encodeCertificateList(cfg.certificate.ders);
        signer = cfg.certificate.key;
      }
      entries.push(this.outgoing(HandshakeType.certificate, body));
    }
    let preMaster: Buffer;
    if (suite.keyExchange === 'psk') {
      const creds = typeof cfg.psk === 'function' ? cfg.psk(this.#pskHint) : cfg.psk;
      if (creds === undefined) throw alertError(AlertDescription.handshakeFailure, 'no PSK for this server');
      const identity = typeof creds.identity === 'string' ? Buffer.from(creds.identity, 'utf8') : Buffer.from(creds.identity);
      this.#pskIdentity = identity.toString('utf8');
      entries.push(this.outgoing(HandshakeType.clientKeyExchange, encodeOpaque16(identity)));
      preMaster = pskPreMasterSecret(creds.key);
    } else {
      const eph = newEphemeralKey();
      preMaster = eph.secret(this.#serverPoint!);
      entries.push(this.outgoing(HandshakeType.clientKeyExchange, encodeOpaque8(eph.publicKey)));
    }
    this.masterSecret = this.extendedMasterSecret
      ? extendedMasterSecret(preMaster, this.transcriptHash())
      : masterSecret(preMaster, this.clientRandom, this.serverRandom);
    if (signer !== undefined) {
      entries.push(this.outgoing(HandshakeType.certificateVerify, encodeSigned(SIGNATURE_ECDSA_SHA256, signSha256(signer, this.transcriptBytes()))));
    }
    this.#installKeys(suite);
    entries.push({ kind: 'ccs', epoch: 0 });
    entries.push(this.outgoing(HandshakeType.finished, this.finishedFor('client'), 1));
    this.#state = 'wait-finished';
    this.io.sendFlight(entries, false);
  }

  #onServerFinished(msg: HandshakeMessage): void {
    this.checkFinished(msg, 'server');
    this.received(msg);
    const suite = this.suite!;
    const resumed = this.#state === 'abbreviated-wait-finished';
    if (resumed) {
      this.io.sendFlight([{ kind: 'ccs', epoch: 0 }, this.outgoing(HandshakeType.finished, this.finishedFor('client'), 1)], true);
    }
    const channel = resumed
      ? this.#resume!.channel
      : {
          secure: true,
          ...(this.#pskIdentity !== undefined ? { pskIdentity: this.#pskIdentity } : {}),
          ...(this.#serverCertificate !== undefined ? { peerCertificate: this.#serverCertificate } : {}),
          ...(this.#serverRpk !== undefined ? { rawPublicKey: this.#serverRpk } : {}),
        };
    this.finish({
      suite,
      resumed,
      extendedMasterSecret: this.extendedMasterSecret,
      encryptThenMac: this.encryptThenMac,
      serverName: this.#sni,
      channel,
      session:
        this.#sessionId.length > 0
          ? {
              id: this.#sessionId,
              masterSecret: this.masterSecret!,
              suite,
              extendedMasterSecret: this.extendedMasterSecret,
              encryptThenMac: this.encryptThenMac,
              serverName: this.#sni,
              channel,
              createdAt: this.#cfg.clock.now(),
            }
          : undefined,
    });
  }
}

/**
 * The server_name to send for a configured server name (RFC 6066 3): host names only, never IP
 * literals (bracketed IPv6 included), and without a trailing dot.
 */
export function sniHostName(serverName: string | undefined): string | undefined {
  if (serverName === undefined) return undefined;
  const bare = serverName.startsWith('[') && serverName.endsWith(']') ? serverName.slice(1, -1) : serverName;
  const name = bare.endsWith('.') ? bare.slice(0, -1) : bare;
  if (name === '' || isIP(name) !== 0 || !/^[\x21-\x7e]+$/.test(name)) return undefined;
  return name;
}

function certificateTypeChoice(data: Buffer): number {
  if (data.length !== 1) throw alertError(AlertDescription.decodeError, 'certificate type extension of a ServerHello holds one type');
  const t = data[0]!;
  if (t !== CertificateType.x509 && t !== CertificateType.rawPublicKey) throw alertError(AlertDescription.illegalParameter, `server chose certificate type ${t}`);
  return t;
}
