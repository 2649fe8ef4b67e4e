"""The outside world: SMTP mail (and later Stripe). Only these modules open network connections."""
