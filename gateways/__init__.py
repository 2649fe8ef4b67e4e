"""The outside world: email, card payments, and the event bus between app processes."""
