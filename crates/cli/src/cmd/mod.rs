//! The commands, one module per group of nouns.

pub mod aftercare;
pub mod campaign;
pub mod cases;
pub mod data;
pub mod investigate;
pub mod legal;
pub mod nrm;
pub mod setup;
