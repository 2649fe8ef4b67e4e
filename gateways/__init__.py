"""The outside world (card payments, mail): plain values in and out; only settings imported."""
