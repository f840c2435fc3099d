//! API tokens: random, shown once, stored as a hash, listed, expired and revoked.
