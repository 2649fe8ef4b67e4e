// GraphQL Code Generator for the SPA: typed documents for every operation in docs/operations/
// (docs/api.md, "Typed operations"). Run: npx graphql-codegen --config codegen.ts
import type { CodegenConfig } from "@graphql-codegen/cli";

const config: CodegenConfig = {
  schema: "../schema.graphql",
  documents: ["../docs/operations/**/*.graphql"],
  ignoreNoDocuments: false,
  generates: {
    "generated/graphql/": {
      preset: "client",
      config: {
        // Fail on a custom scalar without a mapping instead of typing it `any`.
        strictScalars: true,
        // What the server sends for each custom scalar (docs/api.md, "Scalars").
        scalars: {
          DateTime: "string", // ISO 8601 with its offset: "2026-11-26T15:00:00+00:00"
          Date: "string", // ISO 8601 calendar date: "2026-11-26"
          Time: "string", // ISO 8601 time of day, no zone: "09:00:00"
        },
        useTypeImports: true,
        enumsAsTypes: true,
      },
    },
  },
};

export default config;
