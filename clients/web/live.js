// The reference web client's page: sign in, pick the session, join it, show the call.
//
// Open it as /live/ from a development server. Options in the address:
//   ?iceTransportPolicy=relay  send every packet through TURN (the end-to-end test does, and it
//                              keeps each person's network address from the other)
//   #session=<Session id>      join that session straight after sign-in (a hub's join link)
import {
  CLIENT_SESSIONS, describeUserErrors, graphql, JOIN_SESSION, LOGIN, PROFESSIONAL_SESSIONS,
  VERIFY_SECOND_FACTOR,
} from "./api.js";
import { Call } from "./call.js";
import { newDeviceKey } from "./sealing.js";

const $ = (id) => document.getElementById(id);
const iceTransportPolicy =
  new URLSearchParams(location.search).get("iceTransportPolicy") === "relay" ? "relay" : "all";

let token = null;
let viewer = null;
let challenge = null; // pending second factor
let call = null;

const status = (text) => {
  $("status").textContent = text;
};

status("Sign in to join your session.");

// What a Call shows on the page.
const view = {
  status,
  peer: (name) => {
    $("peer-name").textContent = name;
  },
  safetyCode: (code) => {
    $("safety-code").textContent = code;
  },
  connectionState: (state) => {
    $("connection-state").textContent = state;
    if (state !== "connected") $("route").textContent = "";
  },
  route: (route) => {
    if (!route) return;
    $("route").textContent = route.local.candidateType === "relay"
      ? `(relayed through ${route.local.url ?? "TURN"})`
      : `(direct, ${route.local.candidateType} to ${route.remote.candidateType})`;
  },
  remoteStream: (stream) => {
    $("remote-video").srcObject = stream;
  },
  channelOpen: (open) => {
    $("send").disabled = !open;
  },
  message: (from, text) => addLine("messages", `${from}: ${text}`),
  log: (text) => addLine("log", text),
  ended: (reason) => {
    status(reason);
    $("leave").disabled = true;
    $("local-video").srcObject = null;
  },
};

function addLine(listId, text) {
  const item = document.createElement("li");
  item.textContent = text; // textContent, never innerHTML: messages come from the other person
  $(listId).append(item);
}

$("sign-in").addEventListener("submit", async (event) => {
  event.preventDefault();
  try {
    if (challenge) await finishSecondFactor();
    else await signIn();
  } catch (error) {
    status(error.message);
  }
});

async function signIn() {
  const { login } = await graphql(LOGIN, {
    input: { email: $("email").value, password: $("password").value },
  });
  if (login.userErrors.length) return status(describeUserErrors(login.userErrors));
  if (login.secondFactorRequired) {
    challenge = login.challenge;
    $("code-field").hidden = false;
    $("code").focus();
    return status("Enter the 6-digit code from your authenticator app.");
  }
  return signedIn(login);
}

async function finishSecondFactor() {
  const { verifySecondFactor } = await graphql(VERIFY_SECOND_FACTOR, {
    input: { challenge, code: $("code").value },
  });
  if (verifySecondFactor.userErrors.length) {
    return status(describeUserErrors(verifySecondFactor.userErrors));
  }
  challenge = null;
  return signedIn(verifySecondFactor);
}

async function signedIn(payload) {
  token = payload.token;
  viewer = payload.viewer;
  $("sign-in").hidden = true;
  $("sessions").hidden = false;
  status(`Signed in as ${viewer.name}.`);
  if (linkedSession()) return join(linkedSession());
  return listSessions();
}

/** The viewer's sessions that can be joined now or soon, from the hub (as a client) and the
 * practice's week (as a professional): one account may be both. */
async function listSessions() {
  const sessions = [];
  if (viewer.roles.includes("CLIENT")) {
    const { hub } = await graphql(CLIENT_SESSIONS, {}, token);
    sessions.push(...hub.upcomingSessions.map((s) => ({ ...s, with: s.professional.displayName })));
  }
  if (viewer.roles.includes("PROFESSIONAL")) {
    const { practice } = await graphql(PROFESSIONAL_SESSIONS, {}, token);
    sessions.push(...practice.weekSessions
      .filter((s) => new Date(s.endsAt) > new Date())
      .map((s) => ({ ...s, with: s.client.name })));
  }
  $("session-list").replaceChildren(...sessions.map(sessionItem));
  if (!sessions.length) {
    status("No session to show (a professional sees this week's). A join link opens any other.");
  }
}

function sessionItem(session) {
  const item = document.createElement("li");
  item.dataset.sessionId = session.id;
  const starts = new Date(session.startsAt).toLocaleString();
  item.textContent = `${session.service.title} with ${session.with}, ${starts} `;
  const button = document.createElement("button");
  button.type = "button";
  button.textContent = "Join";
  button.disabled = !session.canJoin;
  if (!session.canJoin) button.title = "Joining opens shortly before the start.";
  button.addEventListener("click", () => join(session.id).catch((e) => status(e.message)));
  // The same call for the other person, or a bookmark: /live/#session=<id>.
  const link = document.createElement("a");
  link.href = `#session=${encodeURIComponent(session.id)}`;
  link.textContent = "join link";
  item.append(button, " ", link);
  return item;
}

function linkedSession() {
  return new URLSearchParams(location.hash.slice(1)).get("session");
}

window.addEventListener("hashchange", () => {
  if (token && !call && linkedSession()) join(linkedSession()).catch((e) => status(e.message));
});

$("refresh").addEventListener("click", () => listSessions().catch((e) => status(e.message)));

async function join(sessionId) {
  status("Starting your camera and microphone…");
  // Without them the call still works (the other side is seen and heard, chat works).
  const localStream = await navigator.mediaDevices
    .getUserMedia({ audio: true, video: true })
    .catch((error) => {
      view.log(`No camera or microphone: ${error.name}`);
      return null;
    });
  const device = await newDeviceKey();
  const { joinSession } = await graphql(JOIN_SESSION, {
    input: { sessionId, devicePublicKey: device.publicKeyText },
  }, token);
  if (joinSession.userErrors.length) {
    for (const track of localStream?.getTracks() ?? []) track.stop();
    return status(describeUserErrors(joinSession.userErrors));
  }
  $("sessions").hidden = true;
  $("call").hidden = false;
  $("local-video").srcObject = localStream;
  view.peer(joinSession.call.peer.name);
  call = new Call({
    call: joinSession.call, device, token, iceTransportPolicy, localStream, view,
  });
  window.liveCall = call; // for the browser console (and the end-to-end test)
  return call.start();
}

$("chat").addEventListener("submit", (event) => {
  event.preventDefault();
  const text = $("message").value;
  if (text && call?.sendMessage(text)) {
    view.message("You", text);
    $("message").value = "";
  }
});

$("leave").addEventListener("click", () => call?.leave().catch((e) => status(e.message)));
