"""Plain HTTP routes beside /graphql: receipt downloads, Stripe webhooks, calendar feeds, and
the answer to a CORS preflight the server is not configured for."""
