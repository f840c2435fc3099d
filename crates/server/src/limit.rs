//! Limits repeated authentication failures per client (issue 10).
//!
//! Bearer tokens carry 256 random bits, so guessing one is hopeless; the limit is there to make a
//! guesser, a leaked-token sprayer or a misconfigured integrator stop costing store look-ups, and
//! to put them in the log once. The rule:
//!
//! - A **failure** is an answer of 401 to a request that carried an `Authorization` header (a bad,
//!   unknown, expired or revoked token, or a malformed header). Requests without the header are
//!   not guesses and do not count; successes neither count nor wipe earlier failures (a client
//!   holding one good token must not be able to reset its count between guesses).
//! - After [`AuthLimit::failures`] failures from one client within [`AuthLimit::window`] (a sliding
//!   window), every request *carrying an `Authorization` header* from that client is answered 429
//!   `application/problem+json` with `Retry-After` (whole seconds) **without the token being
//!   checked** — a good token from the same address waits too — until the oldest failure in the
//!   window has aged out. Requests without the header (health checks, the OpenAPI document) still
//!   pass: they need no token, so there is nothing to guess.
//! - A **client** is the peer's IP address; IPv6 addresses are grouped by their /64 prefix (one
//!   host usually owns a whole /64), and IPv4-mapped IPv6 addresses count as their IPv4 address.
//!   Behind a reverse proxy every client has the proxy's address: there the proxy should limit,
//!   or set `failures = 0` here. `X-Forwarded-For` is never trusted (any client can write it).
//! - The peer address comes from axum's `ConnectInfo<SocketAddr>`: the binary serves with
//!   `into_make_service_with_connect_info::<SocketAddr>()`. An embedder who serves the
//!   [`Router`](axum::Router) without it gets **no limiting** (logged once as a warning) rather
//!   than one global bucket, because a global bucket would let any anonymous client lock every
//!   integrator out with a handful of bad tokens.
//! - Memory is bounded: at most [`AuthLimit::max_clients`] clients are tracked, each with at most
//!   `failures` timestamps; when the table is full, clients whose failures have all aged out are
//!   dropped first, then the one whose latest failure is oldest.
//!
//! The check happens before the request is handled and the failure is recorded after it is
//! answered, so requests already in flight when the limit is reached still complete (at most
//! `failures` plus the client's concurrent requests pass in a window); sequential attempts never
//! exceed `failures` per window, which the proptests below check.

use std::collections::{HashMap, VecDeque};
use std::convert::Infallible;
use std::future::Future;
use std::net::{IpAddr, Ipv6Addr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, Request};
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};

use crate::ApiError;

/// How many authentication failures a client may make, and over how long.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct AuthLimit {
    /// Failures allowed per window; the next request with a token is answered 429. 0 turns the
    /// limit off.
    pub failures: u32,
    /// The sliding window the failures are counted over.
    pub window: Duration,
    /// How many clients are remembered at once (bounds memory: each holds at most `failures`
    /// timestamps).
    pub max_clients: usize,
}

impl AuthLimit {
    /// 10 failures per 60 s, 10,000 clients remembered: an integrator with a typo in its token
    /// notices long before the limit, a guesser is held to 10 tries a minute.
    pub const DEFAULT: AuthLimit = AuthLimit {
        failures: 10,
        window: Duration::from_secs(60),
        max_clients: 10_000,
    };

    /// Whether the limit does anything.
    pub fn enabled(&self) -> bool {
        self.failures > 0 && !self.window.is_zero() && self.max_clients > 0
    }
}

impl Default for AuthLimit {
    fn default() -> Self {
        Self::DEFAULT
    }
}

/// Who is limited: an IPv4 address, or an IPv6 /64 prefix.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Client(IpAddr);

impl Client {
    /// The client an address belongs to.
    pub fn of(ip: IpAddr) -> Client {
        match ip {
            IpAddr::V4(v4) => Client(IpAddr::V4(v4)),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                Some(v4) => Client(IpAddr::V4(v4)),
                None => {
                    let prefix = u128::from(v6) & !((1u128 << 64) - 1);
                    Client(IpAddr::V6(Ipv6Addr::from(prefix)))
                }
            },
        }
    }
}

impl From<SocketAddr> for Client {
    fn from(addr: SocketAddr) -> Client {
        Client::of(addr.ip())
    }
}

impl std::fmt::Display for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self.0 {
            IpAddr::V4(v4) => write!(f, "{v4}"),
            IpAddr::V6(v6) => write!(f, "{v6}/64"),
        }
    }
}

/// What the limiter says about a request.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Handle it.
    Allow,
    /// Answer 429; the client may try again after this long.
    Limited {
        /// Until the oldest failure in the window ages out.
        retry_after: Duration,
    },
}

/// The failures of every tracked client. Shared by every connection; one short lock per
/// request that carries a token while any client is tracked, none otherwise.
#[derive(Debug)]
pub struct Limiter {
    config: AuthLimit,
    clients: Mutex<HashMap<Client, VecDeque<Instant>>>,
    /// The table's size, kept beside it so that the usual case — nobody has failed lately —
    /// costs one atomic load and no lock.
    size: AtomicUsize,
}

impl Limiter {
    /// A limiter with nobody tracked.
    pub fn new(config: AuthLimit) -> Limiter {
        Limiter {
            config,
            clients: Mutex::new(HashMap::new()),
            size: AtomicUsize::new(0),
        }
    }

    /// Its configuration.
    pub fn config(&self) -> AuthLimit {
        self.config
    }

    fn table(&self) -> std::sync::MutexGuard<'_, HashMap<Client, VecDeque<Instant>>> {
        // A panic while holding the lock cannot leave the table inconsistent (every change is
        // one call on the map or a deque), so a poisoned lock is used as it is.
        self.clients
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Whether `client` may make an authenticated request at `now`.
    pub fn check(&self, client: Client, now: Instant) -> Verdict {
        if !self.config.enabled() || self.size.load(Ordering::Acquire) == 0 {
            return Verdict::Allow;
        }
        let mut table = self.table();
        let Some(times) = table.get_mut(&client) else {
            return Verdict::Allow;
        };
        prune(times, now, self.config.window);
        if times.is_empty() {
            table.remove(&client);
            self.size.store(table.len(), Ordering::Release);
            return Verdict::Allow;
        }
        if times.len() < self.config.failures as usize {
            return Verdict::Allow;
        }
        let oldest = times[0];
        let retry_after = (oldest + self.config.window).saturating_duration_since(now);
        Verdict::Limited { retry_after }
    }

    /// Records a failed authentication by `client` at `now`; true when this failure reaches the
    /// limit (the client is limited from now on, for the caller to log once).
    pub fn record_failure(&self, client: Client, now: Instant) -> bool {
        if !self.config.enabled() {
            return false;
        }
        let limit = self.config.failures as usize;
        let mut table = self.table();
        if !table.contains_key(&client) && table.len() >= self.config.max_clients {
            evict(&mut table, now, self.config.window, self.config.max_clients);
        }
        let times = table.entry(client).or_default();
        prune(times, now, self.config.window);
        times.push_back(now);
        while times.len() > limit {
            times.pop_front();
        }
        let reached = times.len() == limit;
        self.size.store(table.len(), Ordering::Release);
        reached
    }

    /// How many clients are tracked (for tests and the memory bound).
    pub fn tracked(&self) -> usize {
        self.table().len()
    }
}

/// Drops the failures that are no longer within the window ending at `now`.
fn prune(times: &mut VecDeque<Instant>, now: Instant, window: Duration) {
    while times
        .front()
        .is_some_and(|t| now.saturating_duration_since(*t) >= window)
    {
        times.pop_front();
    }
}

/// Makes room for one more client: first every client whose failures have aged out, then (if
/// the table is still full) the client whose latest failure is the oldest.
fn evict(
    table: &mut HashMap<Client, VecDeque<Instant>>,
    now: Instant,
    window: Duration,
    max: usize,
) {
    table.retain(|_, times| {
        prune(times, now, window);
        !times.is_empty()
    });
    while table.len() >= max {
        let stalest = table
            .iter()
            .min_by_key(|(_, times)| times.back().copied())
            .map(|(client, _)| *client);
        match stalest {
            Some(client) => {
                table.remove(&client);
            }
            None => break,
        }
    }
}

/// The 429 answer: problem+json and `Retry-After` in whole seconds, rounded up (at least 1).
pub fn too_many(retry_after: Duration) -> Response {
    let secs = retry_after
        .as_secs()
        .saturating_add(u64::from(retry_after.subsec_nanos() > 0))
        .max(1);
    let mut res = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        "too-many-authentication-failures",
        "Too many failed authentications from this address",
        format!("the token is not checked; try again in {secs} s"),
    )
    .into_response();
    res.headers_mut()
        .insert(header::RETRY_AFTER, HeaderValue::from(secs));
    res
}

/// The tower layer [`crate::router`] adds: checks before, counts 401s after.
#[derive(Clone)]
pub struct AuthLimitLayer {
    limiter: Option<Arc<Limiter>>,
}

impl AuthLimitLayer {
    /// A layer enforcing `config` (doing nothing when it is disabled).
    pub fn new(config: AuthLimit) -> AuthLimitLayer {
        AuthLimitLayer {
            limiter: config.enabled().then(|| Arc::new(Limiter::new(config))),
        }
    }
}

impl<S> tower::Layer<S> for AuthLimitLayer {
    type Service = AuthLimitService<S>;

    fn layer(&self, inner: S) -> Self::Service {
        AuthLimitService {
            inner,
            limiter: self.limiter.clone(),
        }
    }
}

/// The service of [`AuthLimitLayer`].
#[derive(Clone)]
pub struct AuthLimitService<S> {
    inner: S,
    limiter: Option<Arc<Limiter>>,
}

/// Set once the missing-ConnectInfo warning has been logged.
static WARNED_NO_PEER: AtomicBool = AtomicBool::new(false);

impl<S> tower::Service<Request> for AuthLimitService<S>
where
    S: tower::Service<Request, Response = Response, Error = Infallible> + Clone + Send + 'static,
    S::Future: Send + 'static,
{
    type Response = Response;
    type Error = Infallible;
    type Future = Pin<Box<dyn Future<Output = Result<Response, Infallible>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, req: Request) -> Self::Future {
        // The service that was polled ready handles this request; a clone takes its place.
        let clone = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, clone);
        let tracked = match &self.limiter {
            Some(limiter) if req.headers().contains_key(header::AUTHORIZATION) => {
                match req.extensions().get::<ConnectInfo<SocketAddr>>() {
                    Some(ConnectInfo(peer)) => Some((limiter.clone(), Client::from(*peer))),
                    None => {
                        if !WARNED_NO_PEER.swap(true, Ordering::Relaxed) {
                            tracing::warn!(
                                "served without ConnectInfo<SocketAddr>: authentication failures are not limited"
                            );
                        }
                        None
                    }
                }
            }
            _ => None,
        };
        Box::pin(async move {
            let Some((limiter, client)) = tracked else {
                return inner.call(req).await;
            };
            if let Verdict::Limited { retry_after } = limiter.check(client, Instant::now()) {
                return Ok(too_many(retry_after));
            }
            let res = inner.call(req).await?;
            if res.status() == StatusCode::UNAUTHORIZED
                && limiter.record_failure(client, Instant::now())
            {
                tracing::warn!(
                    client = %client,
                    failures = limiter.config().failures,
                    window_secs = limiter.config().window.as_secs(),
                    "authentication failures over the limit: answering 429 until the window passes"
                );
            }
            Ok(res)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn limit(failures: u32, window_ms: u64, max_clients: usize) -> AuthLimit {
        AuthLimit {
            failures,
            window: Duration::from_millis(window_ms),
            max_clients,
        }
    }

    fn ip(n: u8) -> Client {
        Client::of(IpAddr::from([10, 0, 0, n]))
    }

    #[test]
    fn the_nth_failure_limits_until_the_oldest_ages_out() {
        let l = Limiter::new(limit(3, 60_000, 100));
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        assert!(!l.record_failure(ip(1), at(0)));
        assert!(!l.record_failure(ip(1), at(10_000)));
        assert_eq!(l.check(ip(1), at(20_000)), Verdict::Allow);
        assert!(
            l.record_failure(ip(1), at(20_000)),
            "the third reaches the limit"
        );
        assert_eq!(
            l.check(ip(1), at(30_000)),
            Verdict::Limited {
                retry_after: Duration::from_secs(30)
            }
        );
        // Another client is not affected.
        assert_eq!(l.check(ip(2), at(30_000)), Verdict::Allow);
        // The first failure ages out at 60 s: one more try is allowed, then limited again.
        assert_eq!(l.check(ip(1), at(60_000)), Verdict::Allow);
        assert!(l.record_failure(ip(1), at(60_000)));
        assert_eq!(
            l.check(ip(1), at(60_000)),
            Verdict::Limited {
                retry_after: Duration::from_secs(10)
            }
        );
    }

    #[test]
    fn disabled_limits_never_limit_or_track() {
        for config in [limit(0, 60_000, 10), limit(3, 0, 10), limit(3, 60_000, 0)] {
            let l = Limiter::new(config);
            let t0 = Instant::now();
            for _ in 0..10 {
                assert!(!l.record_failure(ip(1), t0));
            }
            assert_eq!(l.check(ip(1), t0), Verdict::Allow);
            assert_eq!(l.tracked(), 0);
        }
    }

    #[test]
    fn clients_are_addresses_and_ipv6_slash_64s() {
        let a: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let b: IpAddr = "2001:db8:1:2:bbbb::9".parse().unwrap();
        let c: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(Client::of(a), Client::of(b));
        assert_ne!(Client::of(a), Client::of(c));
        let mapped: IpAddr = "::ffff:192.0.2.7".parse().unwrap();
        assert_eq!(Client::of(mapped), Client::of("192.0.2.7".parse().unwrap()));
        assert_eq!(Client::of(a).to_string(), "2001:db8:1:2::/64");
        // The port never matters: each connection has its own.
        let p1: SocketAddr = "127.0.0.1:1000".parse().unwrap();
        let p2: SocketAddr = "127.0.0.1:2000".parse().unwrap();
        assert_eq!(Client::from(p1), Client::from(p2));
    }

    #[test]
    fn the_answer_is_a_problem_with_retry_after_rounded_up() {
        let res = too_many(Duration::from_millis(1_200));
        assert_eq!(res.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(res.headers()[header::RETRY_AFTER], "2");
        assert_eq!(
            res.headers()[header::CONTENT_TYPE],
            crate::error::PROBLEM_JSON
        );
        assert_eq!(too_many(Duration::ZERO).headers()[header::RETRY_AFTER], "1");
        assert_eq!(
            too_many(Duration::from_secs(60)).headers()[header::RETRY_AFTER],
            "60"
        );
    }

    #[test]
    fn a_full_table_drops_aged_clients_then_the_stalest() {
        let l = Limiter::new(limit(5, 1_000, 3));
        let t0 = Instant::now();
        let at = |ms: u64| t0 + Duration::from_millis(ms);
        l.record_failure(ip(1), at(0));
        l.record_failure(ip(2), at(500));
        l.record_failure(ip(3), at(600));
        // ip(1)'s failure has aged out at 1,100 ms: it goes, the others stay.
        l.record_failure(ip(4), at(1_100));
        assert_eq!(l.tracked(), 3);
        let table = l.table();
        assert!(!table.contains_key(&ip(1)));
        assert!(table.contains_key(&ip(2)) && table.contains_key(&ip(3)));
        drop(table);
        // Nothing has aged out at 1,200 ms: the stalest (ip(2), last failed at 500) goes.
        l.record_failure(ip(5), at(1_200));
        assert_eq!(l.tracked(), 3);
        assert!(!l.table().contains_key(&ip(2)));
    }

    #[derive(Clone, Debug)]
    struct Attempt {
        after_ms: u64,
        client: u8,
        fails: bool,
    }

    fn attempts() -> impl Strategy<Value = Vec<Attempt>> {
        prop::collection::vec(
            (0u64..400, 0u8..4, prop::bool::weighted(0.8)).prop_map(|(after_ms, client, fails)| {
                Attempt {
                    after_ms,
                    client,
                    fails,
                }
            }),
            0..300,
        )
    }

    proptest! {
        /// Sequential attempts: in every window of `window` length, at most `failures` failed
        /// attempts from one client are let through; a limited client is let through again
        /// exactly when its `retry_after` has passed; successes never get a client limited.
        #[test]
        fn never_more_than_n_failures_pass_per_window(
            failures in 1u32..6,
            window_ms in 1u64..3_000,
            max_clients in 1usize..6,
            attempts in attempts(),
        ) {
            let config = limit(failures, window_ms, max_clients);
            let l = Limiter::new(config);
            let t0 = Instant::now();
            let mut now = t0;
            let mut passed: Vec<Vec<Instant>> = vec![Vec::new(); 4];
            let mut limited_until: Vec<Option<Instant>> = vec![None; 4];
            for a in attempts {
                now += Duration::from_millis(a.after_ms);
                let client = ip(a.client);
                let i = usize::from(a.client);
                match l.check(client, now) {
                    Verdict::Allow => {
                        // Never let through before a promised retry time (unless the table was
                        // too small for every client and forgot this one).
                        if let Some(until) = limited_until[i].filter(|_| max_clients >= 4) {
                            prop_assert!(now >= until, "let through before Retry-After");
                        }
                        limited_until[i] = None;
                        if a.fails {
                            l.record_failure(client, now);
                            passed[i].push(now);
                        }
                    }
                    Verdict::Limited { retry_after } => {
                        prop_assert!(retry_after > Duration::ZERO);
                        prop_assert!(retry_after <= config.window);
                        // Limited only for a reason: `failures` failures of this client within
                        // the window (an evicted client is forgotten, never wrongly limited).
                        let recent = passed[i]
                            .iter()
                            .filter(|t| now.duration_since(**t) < config.window)
                            .count();
                        prop_assert!(recent >= failures as usize);
                        limited_until[i] = Some(now + retry_after);
                    }
                }
                prop_assert!(l.tracked() <= max_clients);
            }
            // Every window [t, t + window) holds at most `failures` passed failures per client,
            // as long as the table never had to drop a live client (max_clients ≥ 4 clients).
            if max_clients >= 4 {
                for times in &passed {
                    for (k, start) in times.iter().enumerate() {
                        let within = times[k..]
                            .iter()
                            .take_while(|t| t.duration_since(*start) < config.window)
                            .count();
                        prop_assert!(within <= failures as usize, "{within} failures in one window");
                    }
                }
            }
        }

        /// Successes alone never limit anyone, and never track anyone.
        #[test]
        fn successes_are_never_limited(n in 0usize..200, client in 0u8..8) {
            let l = Limiter::new(limit(1, 60_000, 10));
            let t0 = Instant::now();
            for k in 0..n {
                prop_assert_eq!(l.check(ip(client), t0 + Duration::from_millis(k as u64)), Verdict::Allow);
            }
            prop_assert_eq!(l.tracked(), 0);
        }
    }
}
