//! Test support: a core over the in-memory store with a fixed clock and one user per role.

use std::sync::Arc;

use chrono::{DateTime, TimeZone, Utc};
use unchain_store::{Backend, MasterKey, MemoryBackend, Store};

use crate::auth::Role;
use crate::clock::FixedClock;
use crate::unchain::Unchain;
use crate::users::Actor;

/// The instant every test core lives at.
pub(crate) fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2024, 6, 3, 9, 30, 0)
        .single()
        .expect("valid instant")
}

/// A core over memory, and its backend (so tests can compare raw contents).
pub(crate) fn core() -> (Unchain, Arc<MemoryBackend>) {
    let backend = Arc::new(MemoryBackend::new());
    (reopen(&backend), backend)
}

/// Another core over the same memory store, with empty caches (as after a restart): what it
/// reads, the store really holds.
pub(crate) fn reopen(backend: &Arc<MemoryBackend>) -> Unchain {
    let dyn_backend: Arc<dyn Backend> = backend.clone();
    let store = Store::over(
        dyn_backend,
        "memory".into(),
        unchain_store::SCHEMA_VERSION,
        unchain_store::schema::MIGRATIONS,
    )
    .expect("store opens");
    Unchain::over(
        store,
        Arc::new(FixedClock(now())),
        MasterKey::from_bytes([7; 32]),
    )
    .expect("core opens")
}

/// Creates the administrator and one user of each role; returns their actors by role.
pub(crate) fn staff(core: &Unchain) -> Vec<Actor> {
    core.bootstrap_admin("admin").expect("bootstrap");
    let admin = core.actor("admin").expect("admin exists");
    let mut out = vec![admin.clone()];
    for role in Role::ALL.into_iter().skip(1) {
        let name = role.as_str().replace('_', "-");
        core.create_user(&admin, &name, role).expect("user created");
        out.push(core.actor(&name).expect("user exists"));
    }
    out
}

/// Every collection's entries as (key, version, value).
pub(crate) type Dump = Vec<(String, Vec<(Vec<u8>, u64, Vec<u8>)>)>;

/// A snapshot of every collection and stream, to prove a refused operation wrote nothing
/// (audit entries for refusals excepted, which tests take into account).
pub(crate) fn dump(backend: &MemoryBackend) -> Dump {
    dump_any(backend)
}

/// A test core over one storage backend, and what keeps it alive.
pub(crate) struct TestCore {
    /// Which backend (`memory` or `sled`), for messages.
    pub name: &'static str,
    /// The core.
    pub core: Unchain,
    /// Its backend, for raw checks.
    pub backend: Arc<dyn Backend>,
    /// The sled store's folder, removed on drop.
    _dir: Option<tempfile::TempDir>,
}

/// One core per storage backend (memory and sled), each with the fixed clock: the services'
/// scenario tests run against both, so no service relies on one backend's quirks.
pub(crate) fn cores() -> Vec<TestCore> {
    let clock: Arc<FixedClock> = Arc::new(FixedClock(now()));
    let memory: Arc<dyn Backend> = Arc::new(MemoryBackend::new());
    let dir = tempfile::tempdir().expect("temporary folder");
    let sled = Store::open(&unchain_store::StoreConfig::sled(dir.path().join("store")))
        .expect("sled store opens");
    let mem_store = Store::over(
        memory.clone(),
        "memory".into(),
        unchain_store::SCHEMA_VERSION,
        unchain_store::schema::MIGRATIONS,
    )
    .expect("store opens");
    let sled_backend = sled.backend().clone();
    vec![
        TestCore {
            name: "memory",
            core: Unchain::over(mem_store, clock.clone(), MasterKey::from_bytes([7; 32]))
                .expect("core opens"),
            backend: memory,
            _dir: None,
        },
        TestCore {
            name: "sled",
            core: Unchain::over(sled, clock, MasterKey::from_bytes([7; 32])).expect("core opens"),
            backend: sled_backend,
            _dir: Some(dir),
        },
    ]
}

/// [`dump`] for any backend.
pub(crate) fn dump_any(backend: &dyn Backend) -> Dump {
    let mut out = Vec::new();
    for c in backend.collections().expect("collections") {
        let entries = backend
            .scan(&c, &unchain_store::Scan::all())
            .expect("scan")
            .into_iter()
            .map(|(k, v)| (k, v.version, v.value))
            .collect();
        out.push((c, entries));
    }
    out
}
