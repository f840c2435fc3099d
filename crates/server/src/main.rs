//! `unchain-server`: serves the HTTP API on an embedded sled store.

fn main() {
    // Until the HTTP API lands, say plainly what this command will do rather than pretend.
    println!(
        "unchain-server {}: the HTTP API is not built yet (see issue 9).\n\
         When it is, this command will create {} (store and key file) and serve on {}.\n\
         Nothing was started.",
        env!("CARGO_PKG_VERSION"),
        unchain_server::DEFAULT_DATA_DIR,
        unchain_server::DEFAULT_LISTEN,
    );
}
