//! Erasure (crypto-shredding with a tombstone) and subject access export.
