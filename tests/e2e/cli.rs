//! End-to-end tests of the `unchain` CLI (issue 8).
