/**
 * The server side of the DTLS 1.2 handshake (RFC 6347 4.2, RFC 5246 7.3), started once a
 * ClientHello has returned our cookie: suite and extension negotiation, PSK (RFC 4279) and
 * ECDHE_ECDSA (RFC 8422) key exchange, X.509 or raw public key (RFC 7250) server credentials,
 * client authentication, extended master secret (RFC 7627), connection ID (RFC 9146), and
 * resumption of cached sessions (abbreviated handshake).
 */
import { X509Certificate, createPublicKey, randomBytes, type KeyObject } from 'node:crypto';
import { isCbcSuite, type CipherSuiteInfo } from './cipher-suites.ts';
import {
  AlertDescription,
  CERTIFICATE_TYPE_ECDSA_SIGN,
  CertificateType,
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
import type { OwnCertificate, ServerConfig } from './config.ts';
import { isP256, verifyCertificateChain } from './credentials.ts';
import { newEphemeralKey, signSha256, verifySha256, type EphemeralKey } from './ecdhe.ts';
import { findExtension, opaque8, parseOpaque8, parseServerName, parseU16List, parseU8List, u8List, type Extension } from './extensions.ts';
import type { FlightEntry } from './flight.ts';
import { HandshakeBase, unexpected, type HandshakeIO } from './handshake-base.ts';
import {
  decodeCertificateList,
  decodeOpaque16,
  decodeOpaque8,
  decodeRawPublicKey,
  decodeSigned,
  encodeCertificateList,
  encodeCertificateRequest,
  encodeEcdheParams,
  encodeEcdheServerKeyExchange,
  encodeOpaque16,
  encodeRawPublicKey,
  encodeServerHello,
  type ClientHello,
} from './messages.ts';
import type { PeerCredentials } from './options.ts';
import { extendedMasterSecret, masterSecret, pskPreMasterSecret } from './prf.ts';
import type { HandshakeMessage } from './reassembler.ts';
import { protectionsFor } from './record-protection.ts';
import type { DtlsSessionState, SessionCache } from './session-cache.ts';
import { chooseCertificate, normalizeHostName, type CertificateChoice } from './sni.ts';
import type { ChannelInfo } from '../transport.ts';

type State = 'client-flight' | 'wait-ccs' | 'abbreviated-wait-finished';

export interface ServerHandshakeDeps {
  readonly sessions: SessionCache<string>;
  /** A fresh connection ID no other connection uses (RFC 9146). */
  allocateConnectionId(): Buffer;
}

interface Negotiated {
  readonly suite: CipherSuiteInfo;
  readonly serverCertType: number;
}

export class ServerHandshake extends HandshakeBase {
  readonly #cfg: ServerConfig;
  readonly #hello: ClientHello;
  readonly #deps: ServerHandshakeDeps;
  #state: State = 'client-flight';
  #serverCertType: number = CertificateType.x509;
  #clientCertType: number = CertificateType.x509;
  #requestCertificate = false;
  #ephemeral: EphemeralKey | undefined;
  #clientKey: KeyObject | undefined;
  #clientCertSeen = false;
  #keyExchangeSeen = false;
  #channel: ChannelInfo = { secure: true };
  #peerChain: X509Certificate[] | undefined;
  #sessionId: Buffer = Buffer.alloc(0);
  #resumed: DtlsSessionState | undefined;
  /** The client's server_name, normalized (RFC 6066 3). */
  #serverName: string | undefined;
  #certificateChoice: CertificateChoice | undefined;

  /** `helloSeq` is the message_seq of the ClientHello that carried our cookie (RFC 6347 4.2.2). */
  constructor(io: HandshakeIO, config: ServerConfig, hello: ClientHello, helloBody: Buffer, helloSeq: number, deps: ServerHandshakeDeps) {
    super(io, config, helloSeq, helloSeq + 1);
    this.#cfg = config;
    this.#hello = hello;
    this.#deps = deps;
    this.clientRandom = Buffer.from(hello.random);
    this.received({ msgType: HandshakeType.clientHello, messageSeq: helloSeq, body: helloBody, epoch: 0 });
  }

  /** Answers the ClientHello with flight 4 (or the abbreviated handshake's first flight). */
  start(): void {
    const hello = this.#hello;
    const cfg = this.#cfg;
    if (hello.version > DTLS_1_2) throw alertError(AlertDescription.protocolVersion, 'client does not offer DTLS 1.2');
    if (!hello.compressionMethods.includes(0)) throw alertError(AlertDescription.illegalParameter, 'client does not offer null compression');
    const ri = findExtension(hello.extensions, ExtensionType.renegotiationInfo);
    if (ri !== undefined && parseOpaque8(ri, 'renegotiation_info').length !== 0) throw alertError(AlertDescription.handshakeFailure, 'non-empty renegotiation_info in an initial handshake');
    const secureRenegotiation = ri !== undefined || hello.cipherSuites.includes(EMPTY_RENEGOTIATION_INFO_SCSV);
    const ems = findExtension(hello.extensions, ExtensionType.extendedMasterSecret) !== undefined;
    if (!ems && cfg.requireExtendedMasterSecret) throw alertError(AlertDescription.handshakeFailure, 'client does not support the extended master secret');
    this.extendedMasterSecret = ems;
    this.serverRandom = HandshakeBase.random(cfg.clock);
    const sni = findExtension(hello.extensions, ExtensionType.serverName);
    const requestedName = sni === undefined ? undefined : parseServerName(sni);
    this.#serverName = requestedName === undefined ? undefined : normalizeHostName(requestedName);
    const etmExt = findExtension(hello.extensions, ExtensionType.encryptThenMac);
    if (etmExt !== undefined && etmExt.length !== 0) throw alertError(AlertDescription.decodeError, 'encrypt_then_mac of a ClientHello must be empty');
    const etmOffered = etmExt !== undefined;

    const extensions: Extension[] = [];
    if (secureRenegotiation) extensions.push({ type: ExtensionType.renegotiationInfo, data: opaque8(Buffer.alloc(0)) });
    if (ems) extensions.push({ type: ExtensionType.extendedMasterSecret, data: Buffer.alloc(0) });
    const cidExt = findExtension(hello.extensions, ExtensionType.connectionId);
    if (cidExt !== undefined) {
      const clientCid = parseOpaque8(cidExt, 'connection_id');
      const own = cfg.connectionIdLength > 0 ? this.#deps.allocateConnectionId() : Buffer.alloc(0);
      extensions.push({ type: ExtensionType.connectionId, data: opaque8(own) });
      this.io.setConnectionIds(own.length > 0 ? own : undefined, clientCid.length > 0 ? Buffer.from(clientCid) : undefined);
    }

    const resumable = this.#resumable(ems, etmOffered);
    if (resumable !== undefined) {
      this.#resumeSession(resumable, extensions);
      return;
    }

    const negotiated = this.#chooseSuite();
    if (negotiated === undefined) throw alertError(AlertDescription.handshakeFailure, 'no cipher suite in common');
    const suite = negotiated.suite;
    this.suite = suite;
    this.#serverCertType = negotiated.serverCertType;
    // RFC 7366 3: accepted only for a block cipher suite, never echoed with AEAD.
    this.encryptThenMac = cfg.encryptThenMac && etmOffered && isCbcSuite(suite);
    if (this.encryptThenMac) extensions.push({ type: ExtensionType.encryptThenMac, data: Buffer.alloc(0) });
    const ecdhe = suite.keyExchange === 'ecdhe_ecdsa';
    // RFC 6066 3: an empty server_name tells the client its name chose our certificate.
    if (ecdhe && this.#serverCertType === CertificateType.x509 && this.#certificateChoice?.byName === true) {
      extensions.push({ type: ExtensionType.serverName, data: Buffer.alloc(0) });
    }
    if (ecdhe) {
      if (findExtension(hello.extensions, ExtensionType.ecPointFormats) !== undefined) {
        extensions.push({ type: ExtensionType.ecPointFormats, data: u8List([POINT_FORMAT_UNCOMPRESSED]) });
      }
      if (findExtension(hello.extensions, ExtensionType.serverCertificateType) !== undefined) {
        extensions.push({ type: ExtensionType.serverCertificateType, data: Buffer.from([this.#serverCertType]) });
      }
      this.#decideClientAuthentication(extensions);
    }
    if (cfg.sessionCacheSize > 0) this.#sessionId = randomBytes(32);

    const entries: FlightEntry[] = [
      this.outgoing(
        HandshakeType.serverHello,
        encodeServerHello({ version: DTLS_1_2, random: this.serverRandom, sessionId: this.#sessionId, cipherSuite: suite.id, compressionMethod: 0, extensions }),
      ),
    ];
    if (ecdhe) {
      const rpk = this.#serverCertType === CertificateType.rawPublicKey;
      const own = rpk ? undefined : this.#ownCertificate()!;
      const signer = rpk ? cfg.rawPublicKey!.key : own!.key;
      const certBody = rpk ? encodeRawPublicKey(cfg.rawPublicKey!.spki) : encodeCertificateList(own!.ders);
      entries.push(this.outgoing(HandshakeType.certificate, certBody));
      this.#ephemeral = newEphemeralKey();
      const params = encodeEcdheParams(EC_CURVE_TYPE_NAMED, NAMED_GROUP_SECP256R1, this.#ephemeral.publicKey);
      const signature = signSha256(signer, Buffer.concat([this.clientRandom, this.serverRandom, params]));
      entries.push(this.outgoing(HandshakeType.serverKeyExchange, encodeEcdheServerKeyExchange(params, SIGNATURE_ECDSA_SHA256, signature)));
      if (this.#requestCertificate) {
        entries.push(
          this.outgoing(
            HandshakeType.certificateRequest,
            encodeCertificateRequest({ certificateTypes: [CERTIFICATE_TYPE_ECDSA_SIGN], signatureSchemes: [SIGNATURE_ECDSA_SHA256], authorities: [] }),
          ),
        );
      }
    } else if (cfg.pskIdentityHint !== undefined) {
      entries.push(this.outgoing(HandshakeType.serverKeyExchange, encodeOpaque16(cfg.pskIdentityHint)));
    }
    entries.push(this.outgoing(HandshakeType.serverHelloDone, Buffer.alloc(0)));
    this.io.sendFlight(entries, false);
  }

  /** The certificate for the client's server_name, chosen once (RFC 6066 3; default without a match). */
  #ownCertificate(): OwnCertificate | undefined {
    const cfg = this.#cfg;
    this.#certificateChoice ??= chooseCertificate(cfg.selectCertificate, cfg.namedCertificates, cfg.certificate, this.#serverName, this.io.peer);
    return this.#certificateChoice.certificate;
  }

  #resumable(ems: boolean, etmOffered: boolean): DtlsSessionState | undefined {
    const hello = this.#hello;
    if (hello.sessionId.length === 0 || this.#cfg.sessionCacheSize === 0) return undefined;
    const s = this.#deps.sessions.get(hello.sessionId.toString('hex'));
    if (s === undefined || !hello.cipherSuites.includes(s.suite.id) || !this.#cfg.suites.includes(s.suite)) return undefined;
    // RFC 7627 5.3: never resume across a change of the extended-master-secret property.
    if (s.extendedMasterSecret !== ems) return undefined;
    // A PSK session is resumable only while its identity is still configured.
    if (s.channel.pskIdentity !== undefined && this.#pskKey(Buffer.from(s.channel.pskIdentity, 'utf8')) === undefined) return undefined;
    // RFC 6066 3: a session is resumed only for the name it was established for.
    if (s.serverName !== this.#serverName) return undefined;
    // RFC 7366 3.1: the MAC order of a session cannot change on resumption; a client that no longer
    // offers encrypt-then-MAC for such a session is refused rather than downgraded.
    if (s.encryptThenMac && !etmOffered) throw alertError(AlertDescription.handshakeFailure, 'client resumes an encrypt-then-MAC session without offering encrypt-then-MAC');
    return s;
  }

  #resumeSession(session: DtlsSessionState, extensions: Extension[]): void {
    this.#resumed = session;
    this.suite = session.suite;
    this.masterSecret = session.masterSecret;
    this.#sessionId = session.id;
    this.#channel = session.channel;
    this.encryptThenMac = session.encryptThenMac;
    if (session.encryptThenMac) extensions.push({ type: ExtensionType.encryptThenMac, data: Buffer.alloc(0) });
    const sh = this.outgoing(
      HandshakeType.serverHello,
      encodeServerHello({ version: DTLS_1_2, random: this.serverRandom, sessionId: session.id, cipherSuite: session.suite.id, compressionMethod: 0, extensions }),
    );
    this.#installKeys();
    this.#state = 'abbreviated-wait-finished';
    this.io.sendFlight([sh, { kind: 'ccs', epoch: 0 }, this.outgoing(HandshakeType.finished, this.finishedFor('server'), 1)], false);
  }

  #installKeys(): void {
    const keys = protectionsFor(this.suite!, this.masterSecret!, this.clientRandom, this.serverRandom, 'server', this.encryptThenMac);
    this.io.setWriteProtection(1, keys.write);
    this.pendingRead = keys.read;
  }

  #chooseSuite(): Negotiated | undefined {
    const hello = this.#hello;
    const cfg = this.#cfg;
    for (const suite of cfg.suites) {
      if (!hello.cipherSuites.includes(suite.id)) continue;
      if (suite.keyExchange === 'psk') return { suite, serverCertType: CertificateType.x509 };
      const groups = findExtension(hello.extensions, ExtensionType.supportedGroups);
      if (groups !== undefined && !parseU16List(groups, 'supported_groups').includes(NAMED_GROUP_SECP256R1)) continue;
      const formats = findExtension(hello.extensions, ExtensionType.ecPointFormats);
      if (formats !== undefined && !parseU8List(formats, 'ec_point_formats').includes(POINT_FORMAT_UNCOMPRESSED)) continue;
      // Without signature_algorithms the client accepts only SHA-1 signatures (RFC 5246 7.4.1.4.1), which we do not make.
      const algs = findExtension(hello.extensions, ExtensionType.signatureAlgorithms);
      if (algs === undefined || !parseU16List(algs, 'signature_algorithms').includes(SIGNATURE_ECDSA_SHA256)) continue;
      const sctExt = findExtension(hello.extensions, ExtensionType.serverCertificateType);
      const accepted = sctExt === undefined ? [CertificateType.x509] : parseU8List(sctExt, 'server_certificate_type');
      if (cfg.rawPublicKey !== undefined && accepted.includes(CertificateType.rawPublicKey)) return { suite, serverCertType: CertificateType.rawPublicKey };
      if (accepted.includes(CertificateType.x509) && this.#ownCertificate() !== undefined) return { suite, serverCertType: CertificateType.x509 };
    }
    return undefined;
  }

  #decideClientAuthentication(extensions: Extension[]): void {
    const cfg = this.#cfg;
    if (cfg.clientAuthentication === 'none') return;
    const cctExt = findExtension(this.#hello.extensions, ExtensionType.clientCertificateType);
    const offered = cctExt === undefined ? [CertificateType.x509] : parseU8List(cctExt, 'client_certificate_type');
    const rpkOk = cfg.rawPublicKey !== undefined && offered.includes(CertificateType.rawPublicKey);
    const x509Ok = (cfg.trustedCAs.length > 0 || cfg.authorize !== undefined) && offered.includes(CertificateType.x509);
    if (!rpkOk && !x509Ok) {
      if (cfg.clientAuthentication === 'required') throw alertError(AlertDescription.unsupportedCertificate, 'client offers no certificate type we can verify');
      return;
    }
    this.#clientCertType = rpkOk ? CertificateType.rawPublicKey : CertificateType.x509;
    this.#requestCertificate = true;
    if (cctExt !== undefined) extensions.push({ type: ExtensionType.clientCertificateType, data: Buffer.from([this.#clientCertType]) });
  }

  protected expectingChangeCipherSpec(): boolean {
    return this.#state === 'wait-ccs' || this.#state === 'abbreviated-wait-finished';
  }

  protected handle(msg: HandshakeMessage): void {
    if (msg.msgType === HandshakeType.finished) {
      if (this.#state === 'client-flight') unexpected(msg, 'waiting for the client key exchange');
      this.#onClientFinished(msg);
      return;
    }
    if (this.#state !== 'client-flight') unexpected(msg, 'waiting for Finished');
    switch (msg.msgType) {
      case HandshakeType.certificate:
        if (!this.#requestCertificate || this.#clientCertSeen || this.#keyExchangeSeen) unexpected(msg, 'in the client flight');
        this.#onClientCertificate(msg.body);
        this.received(msg);
        return;
      case HandshakeType.clientKeyExchange:
        if (this.#keyExchangeSeen || (this.#requestCertificate && !this.#clientCertSeen)) unexpected(msg, 'before the client certificate');
        this.#onClientKeyExchange(msg);
        return;
      case HandshakeType.certificateVerify:
        if (!this.#keyExchangeSeen || this.#clientKey === undefined) unexpected(msg, 'in the client flight');
        this.#onCertificateVerify(msg);
        return;
      default:
        unexpected(msg, 'in the client flight');
    }
  }

  #onClientCertificate(body: Buffer): void {
    const cfg = this.#cfg;
    this.#clientCertSeen = true;
    let key: KeyObject;
    if (this.#clientCertType === CertificateType.rawPublicKey) {
      if (body.length === 3 && body.readUIntBE(0, 3) === 0) {
        if (cfg.clientAuthentication === 'required') throw alertError(AlertDescription.handshakeFailure, 'client sent no raw public key');
        return;
      }
      const spki = decodeRawPublicKey(body);
      try {
        key = createPublicKey({ key: spki, format: 'der', type: 'spki' });
      } catch (error) {
        throw alertError(AlertDescription.badCertificate, 'client raw public key does not parse', error);
      }
      const rpk = cfg.rawPublicKey!;
      const known = rpk.trusted.some((t) => t.equals(spki)) || rpk.verify?.(spki, this.io.peer) === true;
      if (!known && cfg.authorize === undefined) throw alertError(AlertDescription.badCertificate, 'client raw public key is not trusted');
      this.#channel = { ...this.#channel, rawPublicKey: Buffer.from(spki) };
    } else {
      const ders = decodeCertificateList(body);
      if (ders.length === 0) {
        if (cfg.clientAuthentication === 'required') throw alertError(AlertDescription.handshakeFailure, 'client sent no certificate');
        return;
      }
      let chain: X509Certificate[];
      try {
        chain = ders.map((d) => new X509Certificate(d));
      } catch (error) {
        throw alertError(AlertDescription.badCertificate, 'client certificate does not parse', error);
      }
      if (cfg.trustedCAs.length > 0 || cfg.authorize === undefined) {
        verifyCertificateChain(chain, { trusted: cfg.trustedCAs, now: cfg.clock.wallTime() });
      }
      key = chain[0]!.publicKey;
      this.#peerChain = chain;
      this.#channel = { ...this.#channel, peerCertificate: Buffer.from(chain[0]!.raw) };
    }
    if (!isP256(key)) throw alertError(AlertDescription.unsupportedCertificate, 'client key is not a P-256 key');
    this.#clientKey = key;
  }

  #pskKey(identity: Buffer): Uint8Array | undefined {
    const psk = this.#cfg.psk;
    if (psk === undefined) return undefined;
    const name = identity.toString('utf8');
    return typeof psk === 'function' ? psk(name, this.io.peer, identity) : psk.get(name);
  }

  #onClientKeyExchange(msg: HandshakeMessage): void {
    const suite = this.suite!;
    let preMaster: Buffer;
    if (suite.keyExchange === 'psk') {
      const identity = decodeOpaque16(msg.body, 'psk_identity');
      let key = this.#pskKey(identity);
      if (key === undefined) {
        // RFC 4279 2: continue with a random key so the client cannot tell an unknown identity from a wrong key.
        key = randomBytes(16);
        this.failureHint = `unknown PSK identity "${identity.toString('utf8')}"`;
      } else {
        this.failureHint = `wrong key for PSK identity "${identity.toString('utf8')}"`;
      }
      this.#channel = { secure: true, pskIdentity: identity.toString('utf8') };
      preMaster = pskPreMasterSecret(key);
    } else {
      preMaster = this.#ephemeral!.secret(decodeOpaque8(msg.body, 'ecdh_Yc'));
    }
    this.received(msg);
    this.#keyExchangeSeen = true;
    this.masterSecret = this.extendedMasterSecret
      ? extendedMasterSecret(preMaster, this.transcriptHash())
      : masterSecret(preMaster, this.clientRandom, this.serverRandom);
    this.#installKeys();
    if (this.#clientKey === undefined) this.#state = 'wait-ccs';
  }

  #onCertificateVerify(msg: HandshakeMessage): void {
    const cv = decodeSigned(msg.body);
    if (cv.signatureScheme !== SIGNATURE_ECDSA_SHA256) throw alertError(AlertDescription.illegalParameter, 'CertificateVerify with an algorithm we did not ask for');
    if (!verifySha256(this.#clientKey!, this.transcriptBytes(), cv.signature)) throw alertError(AlertDescription.decryptError, 'CertificateVerify signature does not verify');
    this.received(msg);
    this.#state = 'wait-ccs';
  }

  #onClientFinished(msg: HandshakeMessage): void {
    this.checkFinished(msg, 'client');
    this.received(msg);
    const cfg = this.#cfg;
    const suite = this.suite!;
    if (this.#resumed !== undefined) {
      const r = this.#resumed;
      this.finish({ suite, resumed: true, extendedMasterSecret: this.extendedMasterSecret, encryptThenMac: r.encryptThenMac, serverName: r.serverName, channel: this.#channel, session: r });
      return;
    }
    const credentials: PeerCredentials = { ...this.#channel, ...(this.#peerChain !== undefined ? { peerChain: this.#peerChain } : {}) };
    if (cfg.authorize !== undefined && !cfg.authorize(credentials, this.io.peer)) throw alertError(AlertDescription.accessDenied, 'client credentials refused by authorize()');
    if (this.#requestCertificate && this.#clientKey === undefined && cfg.clientAuthentication === 'required') {
      throw alertError(AlertDescription.handshakeFailure, 'client did not authenticate');
    }
    this.io.sendFlight([{ kind: 'ccs', epoch: 0 }, this.outgoing(HandshakeType.finished, this.finishedFor('server'), 1)], true);
    const session: DtlsSessionState | undefined =
      this.#sessionId.length > 0
        ? {
            id: this.#sessionId,
            masterSecret: this.masterSecret!,
            suite,
            extendedMasterSecret: this.extendedMasterSecret,
            encryptThenMac: this.encryptThenMac,
            serverName: this.#serverName,
            channel: this.#channel,
            createdAt: cfg.clock.now(),
          }
        : undefined;
    if (session !== undefined) this.#deps.sessions.set(session.id.toString('hex'), session);
    this.finish({ suite, resumed: false, extendedMasterSecret: this.extendedMasterSecret, encryptThenMac: this.encryptThenMac, serverName: this.#serverName, channel: this.#channel, session });
  }
}
