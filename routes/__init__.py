"""Plain HTTP routes beside /graphql: receipt downloads, Stripe webhooks, calendar feeds, data
export downloads, and the answer to a CORS preflight the server is not configured for."""
