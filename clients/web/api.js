// The therapy hub's GraphQL API as the reference client uses it: queries and mutations over
// HTTP POST, the `signals` subscription over graphql-ws (graphql-transport-ws protocol).
//
// With a bundler, import from "graphql-ws" instead: this path is the package's browser ESM
// build, which the app serves in development so the page needs no CDN and no build step.
import { createClient } from "./vendor/graphql-ws/client.js";

// Same origin as the page; an SPA on another origin sets its API address here (and the server
// lists that origin in CORS_ORIGINS, which also admits its websocket).
const API_URL = new URL("/graphql", location.href);

const USER_ERRORS = "userErrors { field message code }";

const VIEWER = "viewer { id name roles }";

export const LOGIN = `mutation Login($input: LoginInput!) {
  login(input: $input) { token secondFactorRequired challenge ${VIEWER} ${USER_ERRORS} }
}`;

export const VERIFY_SECOND_FACTOR = `mutation VerifySecondFactor($input: VerifySecondFactorInput!) {
  verifySecondFactor(input: $input) { token ${VIEWER} ${USER_ERRORS} }
}`;

const SESSION = "id startsAt endsAt canJoin service { title }";

export const CLIENT_SESSIONS = `query ClientSessions {
  hub { upcomingSessions(first: 10) { ${SESSION} professional { displayName } } }
}`;

export const PROFESSIONAL_SESSIONS = `query ProfessionalSessions {
  practice { weekSessions { ${SESSION} client { name } } }
}`;

const PARTICIPANT = "role name present devicePublicKey joinedAt leftAt";

export const JOIN_SESSION = `mutation JoinSession($input: JoinSessionInput!) {
  joinSession(input: $input) {
    call {
      sessionId role endsAt
      iceServers { urls username credential }
      me { ${PARTICIPANT} }
      peer { ${PARTICIPANT} }
    }
    ${USER_ERRORS}
  }
}`;

export const LEAVE_SESSION = `mutation LeaveSession($input: LeaveSessionInput!) {
  leaveSession(input: $input) { call { sessionId } ${USER_ERRORS} }
}`;

export const SEND_SIGNAL = `mutation SendSignal($input: SendSignalInput!) {
  sendSignal(input: $input) { accepted ${USER_ERRORS} }
}`;

export const SIGNALS = `subscription Signals($sessionId: ID!) {
  signals(sessionId: $sessionId) { kind sessionId payload peer { ${PARTICIPANT} } }
}`;

/** A request failed as a whole (not signed in, bad query): GraphQL `errors`, not userErrors. */
export class ApiError extends Error {
  constructor(errors) {
    super(errors.map((error) => error.message).join("; "));
    this.errors = errors;
  }
}

/** POST one operation; returns `data` or throws ApiError. Expected failures (wrong password,
 * session not open yet) come back as the payload's userErrors, for the caller to show. */
export async function graphql(query, variables = {}, token = null) {
  const headers = { "content-type": "application/json" };
  // The bearer token lives in memory only: localStorage would hand it to any script on the page.
  if (token) headers.authorization = `Bearer ${token}`;
  const response = await fetch(API_URL, {
    method: "POST", headers, body: JSON.stringify({ query, variables }),
  });
  const body = await response.json();
  if (body.errors?.length) throw new ApiError(body.errors);
  return body.data;
}

/** A graphql-ws client signed in with the token. Browsers cannot set headers on a websocket,
 * so the token goes in `connection_init`; the server closes with 4403 when it no longer signs
 * anyone in, and retrying would not help then. */
export function subscriptions(token, { onConnected, onClosed } = {}) {
  const url = new URL(API_URL);
  url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return createClient({
    url: url.href,
    connectionParams: { authorization: `Bearer ${token}` },
    shouldRetry: (event) => event?.code !== 4403,
    on: { connected: () => onConnected?.(), closed: (event) => onClosed?.(event) },
  });
}

/** The userErrors of a payload as one sentence, for a status line. */
export function describeUserErrors(userErrors) {
  return userErrors.map((error) => error.message).join(" ");
}
