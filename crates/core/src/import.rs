//! Streaming import of intelligence, cases, facilities and groups from CSV and JSON Lines.
