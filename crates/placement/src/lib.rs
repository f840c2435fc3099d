//! # unchain-placement
//!
//! Needs-based aftercare placement: hard constraints, explained scores and optimal batch assignment
//! for a rescue. Pure and deterministic.
#![deny(missing_docs)]
