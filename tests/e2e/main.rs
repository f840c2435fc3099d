//! The end-to-end suite, compiled as one test binary.

mod architecture;
mod cli;
mod hardening;
mod server;
mod transport;
