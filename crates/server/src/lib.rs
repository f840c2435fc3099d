//! # unchain-server
//!
//! The HTTP API over unchain-core. The router and its handlers arrive with the server issue; this
//! library already names what the binary reports about itself.
#![deny(missing_docs)]

/// The address the server listens on unless told otherwise.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:8080";

/// The data directory used unless told otherwise.
pub const DEFAULT_DATA_DIR: &str = "./unchain-data";
