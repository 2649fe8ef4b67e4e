"""The outside world: SMTP mail, card payments, and the event bus between app processes.

Only these modules open network connections."""
