// Sealing the call's signalling between the two device keys, and the safety code.
//
// This is the part of the reference client every SPA must compute exactly the same way
// (docs/live.md): copy it as it is. Only WebCrypto is used, no library.
//
// Why seal at all: offers, answers and ICE candidates pass through our server, and the offer
// carries the DTLS fingerprint that protects the media. A server that could read or change it
// could sit in the middle of the call. Sealed with a key only the two devices can derive, the
// server relays blobs it can neither read nor alter without the receiver noticing.

const encoder = new TextEncoder();
const decoder = new TextDecoder();

const SIGNAL_INFO = encoder.encode("therapyhub signal v1");
const SAFETY_CODE_PREFIX = encoder.encode("therapyhub safety code v1");
const NONCE_BYTES = 12;

/** A fresh X25519 key pair for one call on this device. The private key is not extractable:
 * it never leaves WebCrypto, and a reload makes a new one (the peer then hears PEER_JOINED
 * with the new key and the safety code changes, as it should). */
export async function newDeviceKey() {
  const pair = await crypto.subtle.generateKey({ name: "X25519" }, false, ["deriveBits"]);
  const publicKey = new Uint8Array(await crypto.subtle.exportKey("raw", pair.publicKey));
  return { privateKey: pair.privateKey, publicKey, publicKeyText: toBase64url(publicKey) };
}

/** The AES-GCM key both devices derive: X25519, then HKDF-SHA256 salted with the session's
 * id, so the same two device keys give a different key in another session. */
export async function signalKey(device, peerPublicKeyText, sessionId) {
  const peerPublicKey = await crypto.subtle.importKey(
    "raw", fromBase64url(peerPublicKeyText), { name: "X25519" }, false, []);
  // deriveBits throws for a low-order ("all-zero" shared secret) peer key: refuse such a peer.
  const shared = await crypto.subtle.deriveBits(
    { name: "X25519", public: peerPublicKey }, device.privateKey, 256);
  const hkdf = await crypto.subtle.importKey("raw", shared, "HKDF", false, ["deriveKey"]);
  return crypto.subtle.deriveKey(
    { name: "HKDF", hash: "SHA-256", salt: encoder.encode(sessionId), info: SIGNAL_INFO },
    hkdf, { name: "AES-GCM", length: 256 }, false, ["encrypt", "decrypt"]);
}

/** base64url(nonce || AES-GCM(JSON)). The additional data binds the blob to this session and
 * to its sender, so the server cannot replay it into another call or reflect it back. */
export async function seal(key, sessionId, senderPublicKeyText, message) {
  const nonce = crypto.getRandomValues(new Uint8Array(NONCE_BYTES));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv: nonce, additionalData: additionalData(sessionId, senderPublicKeyText) },
    key, encoder.encode(JSON.stringify(message)));
  return toBase64url(concat(nonce, new Uint8Array(sealed)));
}

/** The message, or a thrown error when the blob was altered, replayed from elsewhere or
 * sealed to another device key (for instance the peer's key before a reload). */
export async function open(key, sessionId, senderPublicKeyText, payload) {
  const bytes = fromBase64url(payload);
  const plain = await crypto.subtle.decrypt(
    {
      name: "AES-GCM", iv: bytes.subarray(0, NONCE_BYTES),
      additionalData: additionalData(sessionId, senderPublicKeyText),
    },
    key, bytes.subarray(NONCE_BYTES));
  return JSON.parse(decoder.decode(plain));
}

/** The 12-digit code both people read to each other: equal codes mean each device holds the
 * other's real key, so no one (our server included) substituted a key to sit in the middle.
 * SHA-256("therapyhub safety code v1" || K1 || K2), keys sorted bytewise; first 8 bytes
 * big-endian, mod 10^12, shown as "123 456 789 012". */
export async function safetyCode(publicKeyTextA, publicKeyTextB) {
  const [first, second] = [fromBase64url(publicKeyTextA), fromBase64url(publicKeyTextB)]
    .sort(compareBytes);
  const digest = await crypto.subtle.digest("SHA-256", concat(SAFETY_CODE_PREFIX, first, second));
  const number = new DataView(digest).getBigUint64(0, false) % 10n ** 12n;
  return number.toString().padStart(12, "0").match(/\d{3}/g).join(" ");
}

function additionalData(sessionId, senderPublicKeyText) {
  return encoder.encode(`${sessionId}|${senderPublicKeyText}`);
}

function compareBytes(a, b) {
  for (let i = 0; i < Math.min(a.length, b.length); i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return a.length - b.length;
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

export function toBase64url(bytes) {
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

export function fromBase64url(text) {
  const base64 = text.replaceAll("-", "+").replaceAll("_", "/");
  const binary = atob(base64 + "=".repeat((4 - (base64.length % 4)) % 4));
  return Uint8Array.from(binary, (char) => char.charCodeAt(0));
}
