//! The commands, one module per group of nouns.

pub mod campaign;
pub mod cases;
pub mod nrm;
pub mod setup;
