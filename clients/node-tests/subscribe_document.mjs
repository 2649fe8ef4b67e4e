// Subscribes with the npm graphql-ws client by a trusted document's id alone, as a SPA built
// with codegen's persisted documents does, and prints what it hears as one JSON line each.
//   node clients/node-tests/subscribe_document.mjs ws://127.0.0.1:8000/graphql <token> <documentId>
import { createClient } from "graphql-ws";
import WebSocket from "ws";

const [url, token, documentId] = process.argv.slice(2);
const print = (line) => process.stdout.write(JSON.stringify(line) + "\n");

const client = createClient({
  url,
  webSocketImpl: WebSocket,
  connectionParams: { authorization: `Bearer ${token}` },
  retryAttempts: 0,
});

// graphql-ws insists on a string `query`; an empty one means "by id only" to the server.
client.subscribe(
  { query: "", documentId },
  {
    next: (result) => print({ next: result }),
    error: (error) => print({ error: Array.isArray(error) ? error : String(error?.code ?? error) }),
    complete: () => print({ complete: true }),
  },
);
