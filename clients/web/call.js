// One live session on this device: the sealed signalling channel and the WebRTC connection.
//
// Negotiation follows one simple rule: the professional makes every offer, the client
// answers. Each offer starts a new "attempt" (a random id carried by every message), so an
// answer or ICE candidate left over from an earlier attempt is recognised and dropped.
//
// Who says what:
//   hello     "I am listening with this key" (and which attempt I am on). Sent when the peer's
//             key becomes known and whenever the websocket (re)connects, so two sides that lost
//             step (a reload, a dropped connection) find each other again. The professional
//             answers a hello from another attempt with a fresh offer; the client repeats its
//             hello until an offer arrives.
//   offer     professional -> client, starts an attempt.
//   answer    client -> professional.
//   candidate either way, for the current attempt.
import {
  describeUserErrors, graphql, LEAVE_SESSION, SEND_SIGNAL, SIGNALS, subscriptions,
} from "./api.js";
import { open, safetyCode, seal, signalKey } from "./sealing.js";

const HELLO_REPEAT_MS = 4000;

export class Call {
  /**
   * @param call   the `call` of joinSession's payload
   * @param device this call's device key (sealing.newDeviceKey)
   * @param view   what the page shows (see live.js)
   */
  constructor({ call, device, token, iceTransportPolicy, localStream, view }) {
    this.sessionId = call.sessionId;
    this.offerer = call.role === "PROFESSIONAL";
    this.rtcConfig = { iceServers: call.iceServers.map(iceServer), iceTransportPolicy };
    this.firstPeer = call.peer;
    this.device = device;
    this.token = token;
    this.localStream = localStream;
    this.view = view;

    this.peer = null; // { name, devicePublicKey } once the peer has joined
    this.key = null; // AES-GCM key shared with the peer's current device key
    this.pc = null;
    this.attempt = null;
    this.pendingCandidates = [];
    this.channel = null;
    this.connected = false; // the signals subscription's websocket is up
    this.helloTimer = null;
    this.refusal = null;
    this.ended = false;
    // Signals are handled one at a time and sent one at a time, in order: an ICE candidate
    // must not overtake the offer it belongs to.
    this.inbox = Promise.resolve();
    this.outbox = Promise.resolve();
  }

  start() {
    if (isHere(this.firstPeer)) this.receive({ kind: "PEER_JOINED", peer: this.firstPeer });
    else this.view.status(`Waiting for ${this.firstPeer.name} to join.`);

    this.ws = subscriptions(this.token, {
      onConnected: () => {
        this.connected = true;
        this.sayHello();
      },
      onClosed: () => {
        this.connected = false;
      },
    });
    this.unsubscribe = this.ws.subscribe(
      { query: SIGNALS, variables: { sessionId: this.sessionId } },
      {
        // A refused subscription (not yours, not open yet, over) is one `next` with errors
        // (extensions.code says which), then `complete`.
        next: ({ data, errors }) => {
          if (errors) this.refusal = errors.map((e) => e.message).join(" ");
          else this.receive(data.signals);
        },
        error: (error) => this.finish(describeError(error)),
        complete: () => {
          this.inbox.then(() => this.finish(this.refusal ?? "The session has ended."));
        },
      },
    );
  }

  /** Send a chat line over the data channel: peer to peer, never through our server. */
  sendMessage(text) {
    if (this.channel?.readyState !== "open") return false;
    this.channel.send(text);
    return true;
  }

  async leave() {
    const { leaveSession } = await graphql(
      LEAVE_SESSION, { input: { sessionId: this.sessionId } }, this.token);
    this.finish(leaveSession.userErrors.length
      ? describeUserErrors(leaveSession.userErrors) : "You left the call.");
  }

  /** The candidate pair the connection uses: shows whether media is relayed through TURN. */
  async route() {
    if (!this.pc) return null;
    const stats = new Map();
    (await this.pc.getStats()).forEach((report) => stats.set(report.id, report));
    const transport = [...stats.values()].find((report) => report.type === "transport");
    const pair = stats.get(transport?.selectedCandidatePairId);
    if (!pair) return null;
    return { local: stats.get(pair.localCandidateId), remote: stats.get(pair.remoteCandidateId) };
  }

  receive(event) {
    this.inbox = this.inbox
      .then(() => this.handle(event))
      .catch((error) => this.view.log(`Ignored a ${event.kind} event: ${error.message}`));
  }

  async handle(event) {
    if (this.ended) return;
    switch (event.kind) {
      case "PEER_JOINED":
        return this.meet(event.peer);
      case "PEER_LEFT":
        // A device the peer already replaced (they reloaded) leaving late changes nothing.
        if (event.peer.devicePublicKey
            && event.peer.devicePublicKey !== this.peer?.devicePublicKey) return;
        this.closePeerConnection();
        this.peer = null;
        this.key = null;
        this.view.status(`${event.peer.name} left the call. They can join again.`);
        return;
      case "SESSION_ENDED":
        return this.finish("The session has ended.");
      case "SIGNAL":
        // The server announces the peer (PEER_JOINED) before relaying anything from them.
        if (!this.key) throw new Error("a signal before the peer's key");
        // Opening fails for anything not sealed by the peer's current key for this session.
        return this.handleSignal(
          await open(this.key, this.sessionId, this.peer.devicePublicKey, event.payload));
      default:
        this.view.log(`Unknown event ${event.kind}`);
    }
  }

  /** The peer joined (or joined again with a new device key, after a reload). */
  async meet(peer) {
    if (peer.devicePublicKey === this.peer?.devicePublicKey) return;
    this.closePeerConnection();
    this.peer = peer;
    this.key = await signalKey(this.device, peer.devicePublicKey, this.sessionId);
    this.view.peer(peer.name);
    this.view.safetyCode(await safetyCode(this.device.publicKeyText, peer.devicePublicKey));
    this.view.status(`${peer.name} is here. Connecting…`);
    this.sayHello();
  }

  async handleSignal(message) {
    switch (message.type) {
      case "hello":
        if (message.attempt && message.attempt === this.attempt) return; // in step already
        if (this.offerer) return this.offer();
        return this.send({ type: "hello", attempt: this.attempt }); // tell them where we are
      case "offer":
        return this.offerer ? undefined : this.answer(message);
      case "answer":
        if (this.offerer && message.attempt === this.attempt
            && this.pc.signalingState === "have-local-offer") {
          await this.pc.setRemoteDescription({ type: "answer", sdp: message.sdp });
          await this.addPendingCandidates();
        }
        return;
      case "candidate":
        if (message.attempt !== this.attempt) return;
        if (this.pc.remoteDescription) return this.pc.addIceCandidate(message.candidate);
        this.pendingCandidates.push(message.candidate);
        return;
      default:
        this.view.log(`Unknown signal ${message.type}`);
    }
  }

  sayHello() {
    if (!this.key || !this.connected || this.ended) return;
    this.send({ type: "hello", attempt: this.attempt });
    if (this.offerer || this.helloTimer) return;
    this.helloTimer = setInterval(() => {
      if (this.attempt || this.ended) this.stopHello();
      else this.send({ type: "hello", attempt: null });
    }, HELLO_REPEAT_MS);
  }

  stopHello() {
    clearInterval(this.helloTimer);
    this.helloTimer = null;
  }

  async offer() {
    const pc = this.newPeerConnection(crypto.randomUUID());
    this.useChannel(pc.createDataChannel("chat"));
    if (!this.localStream) {
      // Without camera and microphone, still ask to receive the peer's.
      pc.addTransceiver("audio", { direction: "recvonly" });
      pc.addTransceiver("video", { direction: "recvonly" });
    }
    await pc.setLocalDescription();
    this.send({ type: "offer", attempt: this.attempt, sdp: pc.localDescription.sdp });
  }

  async answer(message) {
    if (message.attempt === this.attempt) return; // a repeated offer we already answered
    this.stopHello();
    const pc = this.newPeerConnection(message.attempt);
    await pc.setRemoteDescription({ type: "offer", sdp: message.sdp });
    await pc.setLocalDescription();
    this.send({ type: "answer", attempt: this.attempt, sdp: pc.localDescription.sdp });
  }

  newPeerConnection(attempt) {
    this.closePeerConnection();
    this.attempt = attempt;
    const pc = new RTCPeerConnection(this.rtcConfig);
    this.pc = pc;
    for (const track of this.localStream?.getTracks() ?? []) pc.addTrack(track, this.localStream);
    pc.onicecandidate = ({ candidate }) => {
      if (candidate && this.pc === pc) {
        this.send({ type: "candidate", attempt, candidate: candidate.toJSON() });
      }
    };
    // A TURN server refusing our credentials shows up here (401), nowhere else.
    pc.onicecandidateerror = (event) => {
      this.view.log(`ICE server ${event.url}: ${event.errorCode} ${event.errorText}`);
    };
    pc.ontrack = ({ track, streams }) => {
      if (this.pc === pc) this.view.remoteStream(streams[0] ?? new MediaStream([track]));
    };
    pc.ondatachannel = ({ channel }) => {
      if (this.pc === pc) this.useChannel(channel);
    };
    pc.onconnectionstatechange = async () => {
      if (this.pc !== pc) return;
      this.view.connectionState(pc.connectionState);
      if (pc.connectionState === "connected") {
        this.view.status(`In the call with ${this.peer.name}.`);
        this.view.route(await this.route());
      }
    };
    return pc;
  }

  async addPendingCandidates() {
    for (const candidate of this.pendingCandidates.splice(0)) {
      await this.pc.addIceCandidate(candidate);
    }
  }

  useChannel(channel) {
    this.channel = channel;
    channel.onopen = () => this.view.channelOpen(true);
    channel.onclose = () => this.view.channelOpen(false);
    channel.onmessage = ({ data }) => this.view.message(this.peer.name, data);
  }

  closePeerConnection() {
    this.channel?.close();
    this.pc?.close();
    this.channel = null;
    this.pc = null;
    this.attempt = null;
    this.pendingCandidates = [];
    this.view.channelOpen(false);
    this.view.connectionState("closed");
    this.view.remoteStream(null);
  }

  /** Seal and send, in order. A refused signal (too large, too frequent) is shown, not thrown:
   * the call goes on. */
  send(message) {
    const key = this.key;
    this.outbox = this.outbox
      .then(async () => {
        const payload = await seal(key, this.sessionId, this.device.publicKeyText, message);
        const { sendSignal } = await graphql(
          SEND_SIGNAL, { input: { sessionId: this.sessionId, payload } }, this.token);
        if (!sendSignal.accepted) {
          this.view.log(`The ${message.type} was refused: ${describeUserErrors(sendSignal.userErrors)}`);
        }
      })
      .catch((error) => this.view.log(`The ${message.type} was not sent: ${error.message}`));
  }

  finish(reason) {
    if (this.ended) return;
    this.ended = true;
    this.stopHello();
    this.closePeerConnection();
    this.unsubscribe?.();
    this.ws?.dispose();
    for (const track of this.localStream?.getTracks() ?? []) track.stop();
    this.view.ended(reason);
  }
}

function isHere(participant) {
  return participant.present && Boolean(participant.devicePublicKey);
}

/** RTCIceServer wants no username at all for STUN, not a null (it would become "null"). */
function iceServer({ urls, username, credential }) {
  return username ? { urls, username, credential } : { urls };
}

function describeError(error) {
  if (Array.isArray(error)) return error.map((e) => e.message).join(" ");
  if (error?.code === 4403) return "Your sign-in has expired: sign in again.";
  return error?.reason || error?.message || "The connection to the server was lost.";
}
