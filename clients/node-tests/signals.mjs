// One `signals` subscription through the npm graphql-ws client, as an SPA opens it.
//
//   node signals.mjs <ws url> <bearer token> <session id>
//
// Prints one JSON line per result ({"next": ...}), then {"complete": true} when the server
// ends the stream, or {"error": ...} when the socket fails; exits when the stream is over.
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, token, sessionId] = process.argv.slice(2);
const SIGNALS = `subscription($sessionId: ID!) {
  signals(sessionId: $sessionId) {
    kind sessionId payload peer { role name present devicePublicKey }
  }
}`;

const print = (line) => process.stdout.write(`${JSON.stringify(line)}\n`);

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { authorization: `Bearer ${token}` },
  retryAttempts: 0,
});

client.subscribe({ query: SIGNALS, variables: { sessionId } }, {
  next: (result) => print({ next: result }),
  error: (error) => {
    print({ error: String(error?.reason ?? error?.message ?? error) });
    client.dispose().then(() => process.exit(1));
  },
  complete: () => {
    print({ complete: true });
    client.dispose().then(() => process.exit(0));
  },
});
