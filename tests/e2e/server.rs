//! End-to-end tests of `unchain-server` over real HTTP (issue 9).
