"""Pure cryptography: plain values in, plain values out; no database, no settings."""
