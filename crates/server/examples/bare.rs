//! The baseline of bench/http.sh: a bare axum handler returning a fixed JSON body the size and
//! shape of a case, with no auth, store, tracing or compression — what axum and the machine can
//! do at best. Usage: `bare ADDR BODY_FILE`.

use axum::Router;
use axum::http::header;
use axum::routing::get;

fn main() -> std::io::Result<()> {
    let mut args = std::env::args().skip(1);
    let addr = args.next().unwrap_or_else(|| "127.0.0.1:18182".into());
    let body: &'static [u8] = match args.next() {
        Some(path) => std::fs::read(path)?.leak(),
        None => br#"{"ok":true}"#,
    };
    let app = Router::new().route(
        "/case",
        get(move || async move { ([(header::CONTENT_TYPE, "application/json")], body) }),
    );
    tokio::runtime::Runtime::new()?.block_on(async move {
        let listener = tokio::net::TcpListener::bind(&addr).await?;
        axum::serve(listener, app).await
    })
}
