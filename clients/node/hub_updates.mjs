// Subscribes to hubUpdates with the npm graphql-ws client, as the SPA does, and prints each
// event, and how the socket closed, as one JSON line on stdout for the test that runs it.
//   HUB_URL=ws://127.0.0.1:8000/graphql HUB_TOKEN=... node clients/node/hub_updates.mjs
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");

const client = createClient({
  url: process.env.HUB_URL,
  webSocketImpl: WebSocket,
  connectionParams: { authorization: `Bearer ${process.env.HUB_TOKEN}` },
  retryAttempts: 0,
  on: {
    connected: () => print({ connected: true }),
    closed: (event) => {
      print({ closed: event.code, reason: event.reason });
      process.exit(0);
    },
  },
});

client.subscribe(
  { query: "subscription { hubUpdates { kind session { id status } } }" },
  {
    next: (result) => print(result),
    error: (error) => print({ error: String(error?.message ?? error?.code ?? error) }),
    complete: () => print({ complete: true }),
  },
);
