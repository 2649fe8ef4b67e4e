"""Plain HTTP routes beside /graphql: receipt downloads and Stripe webhooks."""
