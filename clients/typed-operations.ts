// How the SPA uses the generated types (codegen.ts): a typed document in, a typed result out.
// tests/test_codegen.py type-checks this file with `tsc --strict` against fresh output.
import { print } from "graphql";
import type { TypedDocumentNode } from "@graphql-typed-document-node/core";
import {
  ClientHomeDocument,
  HistoryRowFragmentDoc,
  HomeSessionCardFragmentDoc,
  SessionHistoryDocument,
  type SessionHistoryQuery,
} from "./generated/graphql/graphql";
import { useFragment } from "./generated/graphql";

export async function execute<Result, Variables>(
  document: TypedDocumentNode<Result, Variables>,
  variables: Variables,
  token: string,
): Promise<Result> {
  const response = await fetch("/graphql", {
    method: "POST",
    headers: { "Content-Type": "application/json", Authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: print(document), variables }),
  });
  const body = (await response.json()) as { data?: Result; errors?: { message: string }[] };
  if (body.errors || !body.data) throw new Error(body.errors?.[0]?.message ?? "no data");
  return body.data;
}

export async function nextSessionLabel(token: string): Promise<string> {
  const { hub } = await execute(ClientHomeDocument, {}, token);
  const next = useFragment(HomeSessionCardFragmentDoc, hub.nextSession);
  if (!next) return "Nothing booked";
  const startsAt: string = next.startsAtLocal; // DateTime arrives as an ISO 8601 string
  return `${next.service.title}, ${new Date(startsAt).toLocaleString()}`;
}

export async function allPastSessionIds(token: string): Promise<string[]> {
  const ids: string[] = [];
  let after: string | null = null;
  for (;;) {
    const { hub }: SessionHistoryQuery =
      await execute(SessionHistoryDocument, { first: 50, after }, token);
    ids.push(...hub.pastSessions.edges.map((edge) => useFragment(HistoryRowFragmentDoc, edge.node).id));
    if (!hub.pastSessions.pageInfo.hasNextPage) return ids;
    after = hub.pastSessions.pageInfo.endCursor;
  }
}
