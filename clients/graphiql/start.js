// Starts GraphiQL on the page routes/graphiql.py serves (no inline script: its CSP allows
// scripts from this server only). React, ReactDOM and GraphiQL are the UMD globals loaded
// before this file. The headers the developer types (authorization: Bearer <token>) go with
// every HTTP request and, for subscriptions, as the connection_init payload: GraphiQL's
// fetcher merges them into the websocket's connectionParams.
const config = JSON.parse(document.getElementById("graphiql-config").textContent);
const url = new URL(config.endpoint, window.location.href);
const subscriptionUrl = new URL(url);
subscriptionUrl.protocol = url.protocol === "https:" ? "wss:" : "ws:";

const fetcher = GraphiQL.createFetcher({
  url: url.href,
  subscriptionUrl: subscriptionUrl.href,
});

ReactDOM.createRoot(document.getElementById("graphiql")).render(
  React.createElement(GraphiQL, {
    fetcher,
    defaultTabs: config.tabs,
    defaultHeaders: config.headers,
    isHeadersEditorEnabled: true,
    shouldPersistHeaders: true,
    defaultEditorToolsVisibility: "headers",
  }),
);
