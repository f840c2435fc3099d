//! The entry point: [`Unchain`] over a store. Every public operation goes through
//! [`Unchain::authorize`] and [`Unchain::write`] (or an audited read), so authorisation, the audit
//! chain and atomic storage cannot be forgotten by one operation.

use std::sync::Arc;

use unchain_store::{Backend, Batch, Expect, Keyring, Store, StoreError};
use uuid::Uuid;

use crate::audit::{self, AuditKey, AuditRecord};
use crate::auth::{self, Operation, Role};
use crate::clock::Clock;
use crate::error::{CoreError, FieldError, Result};
use crate::records::{self, Entity};
use crate::users::{self, Actor, User};

/// A batch builder that also names the audit records of what it staged.
type StageFn<'a> = dyn FnMut(&dyn Backend, &mut Batch) -> Result<Vec<AuditRecord>> + 'a;

/// How many times a write is retried when it loses the race for the audit chain's head.
const MAX_ATTEMPTS: usize = 64;

/// Names index: user name → user id, so names stay unique under concurrent creates.
pub(crate) const USER_NAMES: &str = "user_names";

/// The unchain core, opened over a store.
///
/// Cheap to clone and safe to share between threads: the HTTP server holds one and calls it from
/// blocking tasks; the CLI holds one for the length of a command.
#[derive(Clone)]
pub struct Unchain {
    pub(crate) store: Store,
    pub(crate) backend: Arc<dyn Backend>,
    #[allow(dead_code)] // seals personal data in the person and facility services
    pub(crate) keyring: Arc<Keyring>,
    pub(crate) clock: Arc<dyn Clock>,
    audit_key: AuditKey,
    /// Recently authenticated tokens (see `tokens::AuthCache`), shared by every clone.
    pub(crate) auth_cache: Arc<crate::tokens::AuthCache>,
    /// Identity-free case views (see `cases::ViewCache`), shared by every clone.
    pub(crate) view_cache: Arc<crate::cases::ViewCache>,
    /// Serialises appends to the audit chain (reading its head, applying the batch), shared by
    /// every clone; the flush that makes a batch durable happens after it is released.
    audit_lock: Arc<std::sync::Mutex<()>>,
}

impl std::fmt::Debug for Unchain {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Unchain").finish_non_exhaustive()
    }
}

impl Unchain {
    pub(crate) fn assemble(
        store: Store,
        keyring: Arc<Keyring>,
        clock: Arc<dyn Clock>,
        audit_key: AuditKey,
    ) -> Self {
        let backend = store.backend().clone();
        Self {
            store,
            backend,
            keyring,
            clock,
            audit_key,
            auth_cache: Arc::default(),
            view_cache: Arc::default(),
            audit_lock: Arc::default(),
        }
    }

    /// Writes everything committed so far to disk (the server calls it on shutdown; commits are
    /// already durable, this also flushes sled's own buffers and caches).
    pub fn flush(&self) -> Result<()> {
        Ok(self.backend.flush()?)
    }

    /// Whether the store answers (the server's readiness check): reads the audit chain's head.
    pub fn ready(&self) -> Result<u64> {
        Ok(self.backend.stream_head(audit::STREAM)?)
    }

    /// The clock the core uses.
    pub fn clock(&self) -> &dyn Clock {
        self.clock.as_ref()
    }

    /// Refuses (and audits the refusal) unless the actor's role allows `operation`.
    pub fn authorize(&self, actor: &Actor, operation: Operation) -> Result<()> {
        if auth::allowed(actor.role, operation) {
            return Ok(());
        }
        // A refusal is itself worth knowing about: record it, but never let a failure to record
        // turn a refusal into something else.
        let record = AuditRecord {
            actor: actor.name.clone(),
            action: format!("{} (denied)", operation.as_str()),
            target: String::new(),
            more_targets: Vec::new(),
            at: self.clock.now(),
        };
        let _ = self.commit_audited(&[record], |_, _| Ok(()));
        Err(CoreError::Forbidden {
            actor: actor.name.clone(),
            role: actor.role.as_str().to_owned(),
            operation: operation.as_str(),
        })
    }

    /// Runs `build` to fill a batch, adds one audit entry per target, and commits it all
    /// atomically. `build` may run several times (when another writer wins the race for the audit
    /// head), so it must only read and stage — no other side effects.
    pub(crate) fn write<R>(
        &self,
        actor: &Actor,
        operation: Operation,
        build: impl FnMut(&dyn Backend, &mut Batch) -> Result<(R, Vec<String>)>,
    ) -> Result<R> {
        self.write_audited(actor, operation, false, build)
    }

    /// [`Self::write`] for a bulk write (an import batch): one audit entry names every target
    /// (`AuditRecord::more_targets`) instead of one entry per target — the same records named,
    /// in the same atomic commit, for one keyed hash and one stream append.
    pub(crate) fn write_bulk<R>(
        &self,
        actor: &Actor,
        operation: Operation,
        build: impl FnMut(&dyn Backend, &mut Batch) -> Result<(R, Vec<String>)>,
    ) -> Result<R> {
        self.write_audited(actor, operation, true, build)
    }

    fn write_audited<R>(
        &self,
        actor: &Actor,
        operation: Operation,
        bulk: bool,
        mut build: impl FnMut(&dyn Backend, &mut Batch) -> Result<(R, Vec<String>)>,
    ) -> Result<R> {
        self.authorize(actor, operation)?;
        let mut result = None;
        self.commit_audited_dyn(&mut |backend, batch| {
            let (r, targets) = build(backend, batch)?;
            result = Some(r);
            let at = self.clock.now();
            let record = |target, more_targets| AuditRecord {
                actor: actor.name.clone(),
                action: operation.as_str().to_owned(),
                target,
                more_targets,
                at,
            };
            Ok(if bulk {
                let mut targets = targets.into_iter();
                match targets.next() {
                    Some(first) => vec![record(first, targets.collect())],
                    None => Vec::new(),
                }
            } else {
                targets
                    .into_iter()
                    .map(|target| record(target, Vec::new()))
                    .collect()
            })
        })?;
        result
            .ok_or_else(|| CoreError::Store(StoreError::Backend("write produced no result".into())))
    }

    /// Audits a read of personal data (or any read worth recording) in a batch of its own.
    #[allow(dead_code)] // used by the person and facility reads of the core issue
    pub(crate) fn audit_read(
        &self,
        actor: &Actor,
        operation: Operation,
        targets: &[String],
    ) -> Result<()> {
        let at = self.clock.now();
        let records: Vec<_> = targets
            .iter()
            .map(|t| AuditRecord {
                actor: actor.name.clone(),
                action: operation.as_str().to_owned(),
                target: t.clone(),
                more_targets: Vec::new(),
                at,
            })
            .collect();
        self.commit_audited(&records, |_, _| Ok(()))
    }

    fn commit_audited(
        &self,
        records: &[AuditRecord],
        mut build: impl FnMut(&dyn Backend, &mut Batch) -> Result<()>,
    ) -> Result<()> {
        self.commit_audited_dyn(&mut |backend, batch| {
            build(backend, batch)?;
            Ok(records.to_vec())
        })
    }

    fn commit_audited_dyn(&self, build: &mut StageFn<'_>) -> Result<()> {
        for _ in 0..MAX_ATTEMPTS {
            let mut batch = Batch::new();
            let records = build(self.backend.as_ref(), &mut batch)?;
            // Group commit: the chain's head is read and the batch applied under the lock, so
            // writers of this core never race for the head; each then waits for a flush after
            // releasing it, and concurrent writers share that flush. Nothing under the lock
            // calls the keyring (whose master-key lock a caller may hold, `store_fresh`).
            let applied = {
                let _serial = self
                    .audit_lock
                    .lock()
                    .unwrap_or_else(std::sync::PoisonError::into_inner);
                audit::stage(self.backend.as_ref(), &self.audit_key, &mut batch, &records)?;
                self.backend.commit_deferred(&batch)
            };
            match applied {
                Ok(_) => {
                    if crate::tokens::AuthCache::touched_by(&batch) {
                        self.auth_cache.invalidate();
                    }
                    // Durable before the caller is told it is done.
                    self.backend.flush()?;
                    return Ok(());
                }
                Err(e) => {
                    // Losing the race for the audit head (to another core over the same store)
                    // is retried; it must be recognised before `map_conflict` turns it into a
                    // record conflict (409 for a client).
                    let err = CoreError::Store(e);
                    if audit::is_head_conflict(&err) {
                        continue;
                    }
                    return Err(match err {
                        CoreError::Store(e) => records::map_conflict(e, &batch),
                        other => other,
                    });
                }
            }
        }
        Err(CoreError::Store(StoreError::Backend(
            "too much contention on the audit chain; try again".into(),
        )))
    }

    /// Verifies the whole audit chain (see [`audit::verify`]).
    pub fn verify_audit(&self, actor: &Actor) -> Result<audit::Verification> {
        self.authorize(actor, Operation::AuditRead)?;
        audit::verify(self.backend.as_ref(), &self.audit_key)
    }

    /// Reads audit entries from `from`, at most `limit`.
    pub fn audit_entries(
        &self,
        actor: &Actor,
        from: u64,
        limit: usize,
    ) -> Result<Vec<audit::AuditEntry>> {
        self.authorize(actor, Operation::AuditRead)?;
        audit::read(self.backend.as_ref(), from, limit)
    }

    // ---- users -------------------------------------------------------------------------------

    /// Creates the first administrator of an empty store. Fails if any user exists.
    pub fn bootstrap_admin(&self, name: &str) -> Result<Entity<User>> {
        if !records::all::<User>(self.backend.as_ref())?.is_empty() {
            return Err(CoreError::Refused(
                "the store already has users; ask an administrator".into(),
            ));
        }
        let system = Actor {
            id: Uuid::nil(),
            name: users::SYSTEM.to_owned(),
            role: Role::Admin,
        };
        self.create_user_unchecked(&system, name, Role::Admin)
    }

    /// Creates a user (administrators only).
    pub fn create_user(&self, actor: &Actor, name: &str, role: Role) -> Result<Entity<User>> {
        self.authorize(actor, Operation::UserManage)?;
        self.create_user_unchecked(actor, name, role)
    }

    fn create_user_unchecked(&self, actor: &Actor, name: &str, role: Role) -> Result<Entity<User>> {
        users::validate_name(name)
            .map_err(|reason| CoreError::Validation(vec![FieldError::new("name", reason)]))?;
        let id = Uuid::now_v7();
        let user = User {
            name: name.to_owned(),
            role,
            active: true,
            created_at: self.clock.now(),
        };
        let taken = self.backend.get(USER_NAMES, name.as_bytes())?.is_some();
        if taken {
            return Err(CoreError::Validation(vec![FieldError::new(
                "name",
                format!("user {name:?} already exists"),
            )]));
        }
        self.write(actor, Operation::UserManage, |_, batch| {
            batch.put(
                USER_NAMES,
                name.as_bytes().to_vec(),
                id.as_bytes().to_vec(),
                Expect::Absent,
            );
            records::stage_put(batch, id, &user, None)?;
            Ok(((), vec![format!("user:{id}")]))
        })
        .map_err(|e| match e {
            CoreError::Store(StoreError::Conflict { collection, .. })
                if collection == USER_NAMES =>
            {
                CoreError::Validation(vec![FieldError::new(
                    "name",
                    format!("user {name:?} already exists"),
                )])
            }
            other => other,
        })?;
        Ok(Entity {
            id,
            version: 1,
            data: user,
        })
    }

    /// Resolves an active user by name into the actor of the operations that follow.
    pub fn actor(&self, name: &str) -> Result<Actor> {
        let not_found = || CoreError::NotFound {
            kind: "user",
            id: name.to_owned(),
        };
        let id_bytes = self
            .backend
            .get(USER_NAMES, name.as_bytes())?
            .ok_or_else(not_found)?;
        let id = Uuid::from_slice(&id_bytes.value).map_err(|_| not_found())?;
        let user = records::load::<User>(self.backend.as_ref(), id)?;
        if !user.data.active {
            return Err(CoreError::Refused(format!("user {name:?} is disabled")));
        }
        Ok(Actor {
            id,
            name: user.data.name,
            role: user.data.role,
        })
    }

    /// Lists users (administrators only).
    pub fn users(&self, actor: &Actor) -> Result<Vec<Entity<User>>> {
        self.authorize(actor, Operation::UserManage)?;
        records::all(self.backend.as_ref())
    }
}
