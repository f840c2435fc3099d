//! API tokens: random, shown once, stored as a hash, listed, expired and revoked.
//!
//! A token is 32 random bytes (256 bits) from the operating system, written as `uc_` and
//! base64url. The store keeps only its SHA-256 hash: a token record by id, and an index from the
//! hash to the id so that authentication is one lookup. Whoever reads the store (or a backup)
//! therefore cannot act as anyone. The hash found is compared again in constant time before it is
//! trusted, and the user behind the token must still be active: a disabled user's tokens stop
//! working at once, and a role change applies to the next request.

use base64::Engine as _;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use unchain_store::{Expect, StoreError};
use uuid::Uuid;
use zeroize::Zeroize;

use crate::auth::Operation;
use crate::error::{CoreError, FieldError, Result};
use crate::records::{self, Entity, Record};
use crate::unchain::Unchain;
use crate::users::{Actor, User};
use crate::validate::{check, required};

/// The index from a token's hash to its id.
pub(crate) const TOKEN_HASHES: &str = "token_hashes";

/// How long an authenticated token is remembered at most (invalidation on any user or token
/// change is immediate; this bounds what a change made outside this process could miss).
pub const AUTH_CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(5);

/// The most tokens remembered at once (then the cache starts again empty).
const AUTH_CACHE_MAX: usize = 4096;

/// Recently authenticated tokens, by the SHA-256 of their secret (the secret is never kept).
///
/// Correctness rests on the generation: every commit touching `users`, `tokens` or the hash
/// index calls [`AuthCache::invalidate`] after it is durable, which empties the map and bumps the
/// generation; an authentication that read the store under an older generation does not insert
/// its (possibly stale) answer.
#[derive(Default)]
pub(crate) struct AuthCache {
    inner: std::sync::Mutex<AuthCacheInner>,
}

#[derive(Default)]
struct AuthCacheInner {
    generation: u64,
    entries: std::collections::HashMap<[u8; 32], Remembered>,
}

struct Remembered {
    actor: Actor,
    expires_at: Option<DateTime<Utc>>,
    at: std::time::Instant,
}

impl AuthCache {
    fn lock(&self) -> std::sync::MutexGuard<'_, AuthCacheInner> {
        // A panic while holding this lock leaves plain data behind; keep serving.
        self.inner.lock().unwrap_or_else(|e| e.into_inner())
    }

    fn generation(&self) -> u64 {
        self.lock().generation
    }

    fn get(&self, digest: &[u8; 32], now: DateTime<Utc>) -> Option<Actor> {
        let mut inner = self.lock();
        let hit = inner.entries.get(digest)?;
        if hit.at.elapsed() < AUTH_CACHE_TTL && hit.expires_at.is_none_or(|at| at > now) {
            return Some(hit.actor.clone());
        }
        inner.entries.remove(digest);
        None
    }

    fn insert(
        &self,
        generation: u64,
        digest: [u8; 32],
        actor: Actor,
        expires_at: Option<DateTime<Utc>>,
    ) {
        let mut inner = self.lock();
        if inner.generation != generation {
            return;
        }
        if inner.entries.len() >= AUTH_CACHE_MAX {
            inner.entries.clear();
        }
        inner.entries.insert(
            digest,
            Remembered {
                actor,
                expires_at,
                at: std::time::Instant::now(),
            },
        );
    }

    /// Forgets every token (called after a commit that changed users or tokens).
    pub(crate) fn invalidate(&self) {
        let mut inner = self.lock();
        inner.generation = inner.generation.wrapping_add(1);
        inner.entries.clear();
    }

    /// Whether a batch changes who a token acts as, or whether it works at all.
    pub(crate) fn touched_by(batch: &unchain_store::Batch) -> bool {
        batch.ops.iter().any(|op| match op {
            unchain_store::Op::Put { collection, .. }
            | unchain_store::Op::Delete { collection, .. } => {
                collection == Token::COLLECTION
                    || collection == User::COLLECTION
                    || collection == TOKEN_HASHES
            }
            _ => false,
        })
    }
}

/// What every token starts with, so that leaked ones are easy to recognise (secret scanners).
pub const TOKEN_PREFIX: &str = "uc_";

/// Random bytes in a token.
const SECRET_BYTES: usize = 32;

/// A token as stored: never the secret, only its hash.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Token {
    /// The user the token acts as.
    pub user_id: Uuid,
    /// What the token is for, in the issuer's words (`"case system sync"`).
    pub label: String,
    /// SHA-256 of the secret (hex).
    pub hash: String,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// Who issued it (user name).
    pub created_by: String,
    /// When it stops working (`None`: until revoked).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked, if it was.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<DateTime<Utc>>,
    /// Who revoked it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_by: Option<String>,
}

impl Record for Token {
    const COLLECTION: &'static str = "tokens";
    const KIND: &'static str = "token";
}

/// A token as listed: everything but the hash (listing never reveals anything usable).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct TokenInfo {
    /// The token's id (to revoke it).
    pub id: Uuid,
    /// The record's version.
    pub version: u64,
    /// The user it acts as.
    pub user: String,
    /// What it is for.
    pub label: String,
    /// When it was issued.
    pub created_at: DateTime<Utc>,
    /// Who issued it.
    pub created_by: String,
    /// When it stops working.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expires_at: Option<DateTime<Utc>>,
    /// When it was revoked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<DateTime<Utc>>,
    /// Whether it would authenticate now (not expired, not revoked).
    pub active: bool,
}

/// The secret of a new token: shown once, then only its hash exists. `Debug` never shows it and
/// the memory is wiped when it is dropped.
#[derive(Clone, PartialEq, Eq)]
pub struct TokenSecret(String);

impl TokenSecret {
    /// The secret, to show to the operator once.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for TokenSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TokenSecret(<redacted>)")
    }
}

impl Drop for TokenSecret {
    fn drop(&mut self) {
        self.0.zeroize();
    }
}

/// The hash stored for a secret.
fn hash(secret: &str) -> [u8; 32] {
    Sha256::digest(secret.as_bytes()).into()
}

fn new_secret() -> Result<TokenSecret> {
    let mut bytes = [0u8; SECRET_BYTES];
    getrandom::getrandom(&mut bytes)
        .map_err(|e| StoreError::Key(format!("no randomness for a token: {e}")))?;
    let text = format!(
        "{TOKEN_PREFIX}{}",
        base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
    );
    bytes.zeroize();
    Ok(TokenSecret(text))
}

/// Why a presented token does not authenticate. The server answers 401 for all of them; the
/// words help a legitimate holder (an expired token is not a typo).
fn unauthenticated(reason: &str) -> CoreError {
    CoreError::Refused(format!("the token {reason}"))
}

impl Unchain {
    /// Issues a token acting as `user_name`. Returns its description and the secret, which is
    /// not stored and cannot be shown again.
    pub fn issue_token(
        &self,
        actor: &Actor,
        user_name: &str,
        label: &str,
        expires_at: Option<DateTime<Utc>>,
    ) -> Result<(TokenInfo, TokenSecret)> {
        self.authorize(actor, Operation::UserManage)?;
        let now = self.clock.now();
        let mut errors = Vec::new();
        required(&mut errors, "label", label, 200);
        if expires_at.is_some_and(|at| at <= now) {
            errors.push(FieldError::new("expires_at", "is not in the future"));
        }
        let user = match self.user_id(user_name)? {
            None => {
                errors.push(FieldError::new("user", format!("no user {user_name:?}")));
                None
            }
            Some(id) => {
                let user = records::load::<User>(self.backend.as_ref(), id)?;
                if !user.data.active {
                    errors.push(FieldError::new(
                        "user",
                        format!("user {user_name:?} is disabled"),
                    ));
                }
                Some(user)
            }
        };
        check(errors)?;
        let user = user.ok_or_else(|| CoreError::NotFound {
            kind: User::KIND,
            id: user_name.to_owned(),
        })?;
        let secret = new_secret()?;
        let digest = hash(secret.expose());
        let id = Uuid::now_v7();
        let token = Token {
            user_id: user.id,
            label: label.trim().to_owned(),
            hash: hex::encode(digest),
            created_at: now,
            created_by: actor.name.clone(),
            expires_at,
            revoked_at: None,
            revoked_by: None,
        };
        self.write(actor, Operation::UserManage, |backend, batch| {
            // The user must still be the one checked above when the token is written.
            let current = records::load::<User>(backend, user.id)?;
            records::stage_check(batch, &current);
            batch.put(
                TOKEN_HASHES,
                digest.to_vec(),
                id.as_bytes().to_vec(),
                Expect::Absent,
            );
            records::stage_put(batch, id, &token, None)?;
            Ok((
                (),
                vec![
                    records::target::<Token>(id),
                    records::target::<User>(user.id),
                ],
            ))
        })?;
        let info = self.token_info(Entity {
            id,
            version: 1,
            data: token,
        })?;
        Ok((info, secret))
    }

    /// Resolves a presented secret into the actor it acts as. Not authorised (this *is* the
    /// authentication) and not audited per request; every failure is an error the server turns
    /// into 401: unknown, revoked or expired token, or a disabled user.
    ///
    /// A token that authenticated is remembered (by its hash, never the secret) for at most
    /// [`AUTH_CACHE_TTL`], so that a busy client does not cost three store reads per request;
    /// every commit that touches users or tokens (a revocation, a disabled user, a role change)
    /// forgets them all before it returns, and expiry is checked on every use.
    pub fn authenticate_token(&self, secret: &str) -> Result<Actor> {
        // Anything that is not shaped like a token cannot be one; skip the lookup.
        if !secret.starts_with(TOKEN_PREFIX) || secret.len() > 128 {
            return Err(unauthenticated("is not valid"));
        }
        let digest = hash(secret);
        let now = self.clock.now();
        if let Some(actor) = self.auth_cache.get(&digest, now) {
            return Ok(actor);
        }
        let generation = self.auth_cache.generation();
        let (actor, expires_at) = self.authenticate_digest(&digest)?;
        self.auth_cache
            .insert(generation, digest, actor.clone(), expires_at);
        Ok(actor)
    }

    /// The actor of a token that authenticated recently, if it is remembered and has not
    /// expired; `None` means "ask [`Unchain::authenticate_token`]" (which reads the store). The
    /// server answers from here without leaving its async workers.
    pub fn cached_actor(&self, secret: &str) -> Option<Actor> {
        if !secret.starts_with(TOKEN_PREFIX) || secret.len() > 128 {
            return None;
        }
        self.auth_cache.get(&hash(secret), self.clock.now())
    }

    fn authenticate_digest(&self, digest: &[u8; 32]) -> Result<(Actor, Option<DateTime<Utc>>)> {
        let Some(found) = self.backend.get(TOKEN_HASHES, digest)? else {
            return Err(unauthenticated("is not valid"));
        };
        let id = Uuid::from_slice(&found.value)
            .map_err(|_| StoreError::Corrupt("a token index entry is not a uuid".into()))?;
        let token = records::load::<Token>(self.backend.as_ref(), id)?;
        let stored = hex::decode(&token.data.hash)
            .map_err(|_| StoreError::Corrupt("a token hash is not hex".into()))?;
        if !bool::from(stored.as_slice().ct_eq(digest)) {
            return Err(unauthenticated("is not valid"));
        }
        if token.data.revoked_at.is_some() {
            return Err(unauthenticated("was revoked"));
        }
        if token
            .data
            .expires_at
            .is_some_and(|at| at <= self.clock.now())
        {
            return Err(unauthenticated("has expired"));
        }
        let user = records::load::<User>(self.backend.as_ref(), token.data.user_id)?;
        if !user.data.active {
            return Err(unauthenticated("belongs to a disabled user"));
        }
        Ok((
            Actor {
                id: user.id,
                name: user.data.name,
                role: user.data.role,
            },
            token.data.expires_at,
        ))
    }

    /// Lists tokens (all, or one user's), oldest first, without secrets or hashes.
    pub fn tokens(&self, actor: &Actor, user_name: Option<&str>) -> Result<Vec<TokenInfo>> {
        self.authorize(actor, Operation::UserManage)?;
        let user = match user_name {
            None => None,
            Some(name) => Some(self.user_id(name)?.ok_or_else(|| CoreError::NotFound {
                kind: User::KIND,
                id: name.to_owned(),
            })?),
        };
        records::filter::<Token>(self.backend.as_ref(), |t| {
            user.is_none_or(|u| u == t.data.user_id)
        })?
        .into_iter()
        .map(|t| self.token_info(t))
        .collect()
    }

    /// Revokes a token: it stops working at once. Revoking a revoked token is refused, so the
    /// first revocation's time and author stay on record.
    pub fn revoke_token(&self, actor: &Actor, id: Uuid) -> Result<TokenInfo> {
        let now = self.clock.now();
        let updated = self.write(actor, Operation::UserManage, |backend, batch| {
            let mut token = records::load::<Token>(backend, id)?;
            if token.data.revoked_at.is_some() {
                return Err(CoreError::Refused(format!("token {id} is already revoked")));
            }
            token.data.revoked_at = Some(now);
            token.data.revoked_by = Some(actor.name.clone());
            records::stage_put(batch, id, &token.data, Some(token.version))?;
            token.version += 1;
            Ok((token, vec![records::target::<Token>(id)]))
        })?;
        self.token_info(updated)
    }

    fn token_info(&self, token: Entity<Token>) -> Result<TokenInfo> {
        let now = self.clock.now();
        let active =
            token.data.revoked_at.is_none() && token.data.expires_at.is_none_or(|at| at > now);
        Ok(TokenInfo {
            id: token.id,
            version: token.version,
            user: records::load::<User>(self.backend.as_ref(), token.data.user_id)?
                .data
                .name,
            label: token.data.label,
            created_at: token.data.created_at,
            created_by: token.data.created_by,
            expires_at: token.data.expires_at,
            revoked_at: token.data.revoked_at,
            active,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use chrono::Duration;
    use proptest::prelude::*;
    use unchain_store::MemoryBackend;

    use super::*;
    use crate::auth::Role;
    use crate::clock::FixedClock;
    use crate::testing;

    /// A second core over the same store, living at another instant (to expire tokens).
    fn at(backend: &Arc<MemoryBackend>, when: DateTime<Utc>) -> Unchain {
        testing::core_over(backend, Arc::new(FixedClock(when)))
    }

    #[test]
    fn a_token_authenticates_as_its_user_and_only_its_hash_is_stored() {
        let (core, backend) = testing::core();
        let staff = testing::staff(&core);
        let (admin, inv) = (&staff[0], &staff[2]);
        let (info, secret) = core
            .issue_token(admin, &inv.name, "sync", None)
            .expect("issued");
        assert!(secret.expose().starts_with(TOKEN_PREFIX));
        // 32 bytes in base64url without padding: 43 characters.
        assert_eq!(secret.expose().len(), TOKEN_PREFIX.len() + 43);
        assert!(!format!("{secret:?}").contains(secret.expose()));
        assert_eq!(info.user, inv.name);
        assert!(info.active);
        assert_eq!(core.authenticate_token(secret.expose()).expect("ok"), *inv);

        // The secret is nowhere in the store; its hash is.
        let raw = format!("{:?}", testing::dump(&backend));
        let bytes: Vec<u8> = testing::dump(&backend)
            .into_iter()
            .flat_map(|(_, es)| es.into_iter().flat_map(|(k, _, v)| [k, v].concat()))
            .collect();
        let needle = secret.expose().as_bytes();
        assert!(!bytes.windows(needle.len()).any(|w| w == needle));
        assert!(raw.contains("token_hashes"));
    }

    #[test]
    fn bad_revoked_expired_and_disabled_tokens_are_refused() {
        let (core, backend) = testing::core();
        let staff = testing::staff(&core);
        let admin = &staff[0];
        for bad in ["", "uc_", "Bearer x", "uc_AAAA", &"uc_".repeat(100)] {
            assert!(matches!(
                core.authenticate_token(bad),
                Err(CoreError::Refused(_))
            ));
        }
        let (info, secret) = core
            .issue_token(admin, "manager", "m", None)
            .expect("issued");
        core.revoke_token(admin, info.id).expect("revoked");
        let err = core
            .authenticate_token(secret.expose())
            .expect_err("revoked");
        assert!(err.to_string().contains("revoked"), "{err}");
        assert!(matches!(
            core.revoke_token(admin, info.id),
            Err(CoreError::Refused(_))
        ));
        let listed = core.tokens(admin, Some("manager")).expect("list");
        assert_eq!(listed.len(), 1);
        assert!(!listed[0].active && listed[0].revoked_at.is_some());

        let later = testing::now() + Duration::hours(1);
        let (_, expiring) = core
            .issue_token(admin, "analyst", "an hour", Some(later))
            .expect("issued");
        assert!(core.authenticate_token(expiring.expose()).is_ok());
        let future = at(&backend, later);
        let err = future
            .authenticate_token(expiring.expose())
            .expect_err("expired");
        assert!(err.to_string().contains("expired"), "{err}");
    }

    #[test]
    fn a_remembered_token_stops_working_the_moment_it_is_revoked() {
        let (core, _) = testing::core();
        let staff = testing::staff(&core);
        let admin = &staff[0];
        let (info, secret) = core
            .issue_token(admin, "manager", "m", None)
            .expect("issued");
        let actor = core.authenticate_token(secret.expose()).expect("ok");
        // Remembered now: answered without the store.
        assert_eq!(core.cached_actor(secret.expose()), Some(actor.clone()));
        // Any clone shares the memory, and a revocation through any clone forgets it.
        let other = core.clone();
        other.revoke_token(admin, info.id).expect("revoked");
        assert_eq!(core.cached_actor(secret.expose()), None);
        let err = core
            .authenticate_token(secret.expose())
            .expect_err("revoked");
        assert!(err.to_string().contains("revoked"), "{err}");
        // A bad secret is never remembered, nor a secret of the wrong shape.
        assert_eq!(core.cached_actor("uc_nothing"), None);
        assert_eq!(core.cached_actor(&"x".repeat(300)), None);
    }

    #[test]
    fn an_answer_read_before_a_change_is_not_remembered_after_it() {
        let cache = AuthCache::default();
        let actor = Actor {
            id: Uuid::now_v7(),
            name: "ivy".into(),
            role: Role::Investigator,
        };
        let digest = hash("uc_a");
        let before = cache.generation();
        // A user or token change commits while the store was being read …
        cache.invalidate();
        // … so the (possibly stale) answer is dropped.
        cache.insert(before, digest, actor.clone(), None);
        assert_eq!(cache.get(&digest, testing::now()), None);
        cache.insert(cache.generation(), digest, actor.clone(), None);
        assert_eq!(cache.get(&digest, testing::now()), Some(actor.clone()));
        // Expiry is checked on every use.
        let soon = testing::now() + Duration::minutes(1);
        cache.insert(cache.generation(), digest, actor.clone(), Some(soon));
        assert!(cache.get(&digest, testing::now()).is_some());
        assert_eq!(cache.get(&digest, soon), None);
    }

    #[test]
    fn only_user_and_token_writes_invalidate() {
        let mut batch = unchain_store::Batch::new();
        batch.put("cases", vec![1], vec![2], Expect::Any);
        assert!(!AuthCache::touched_by(&batch));
        for collection in [Token::COLLECTION, User::COLLECTION, TOKEN_HASHES] {
            let mut b = batch.clone();
            b.put(collection, vec![1], vec![2], Expect::Any);
            assert!(AuthCache::touched_by(&b), "{collection}");
            let mut b = batch.clone();
            b.delete(collection, vec![1], Expect::Any);
            assert!(AuthCache::touched_by(&b), "{collection}");
        }
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(24))]

        /// Invariant: whatever the sequence of authentications, issues and revocations, the
        /// remembering core answers exactly as a core without memory over the same store.
        #[test]
        fn remembering_never_changes_an_answer(ops in prop::collection::vec((0u8..3, 0usize..3), 1..20)) {
            let (core, backend) = testing::core();
            let staff = testing::staff(&core);
            let admin = &staff[0];
            let mut tokens: Vec<(Uuid, String)> = Vec::new();
            for (op, pick) in ops {
                match op {
                    0 => {
                        let (info, secret) = core
                            .issue_token(admin, &staff[pick + 1].name, "p", None)
                            .expect("issued");
                        tokens.push((info.id, secret.expose().to_owned()));
                    }
                    1 if !tokens.is_empty() => {
                        let id = tokens[pick % tokens.len()].0;
                        let _ = core.revoke_token(admin, id);
                    }
                    _ => {}
                }
                let fresh = at(&backend, testing::now());
                for (_, secret) in &tokens {
                    let remembered = core.authenticate_token(secret).map_err(|e| e.to_string());
                    let read = fresh.authenticate_token(secret).map_err(|e| e.to_string());
                    prop_assert_eq!(remembered, read);
                }
            }
        }
    }

    #[test]
    fn issuing_validates_every_field_and_writes_nothing() {
        let (core, backend) = testing::core();
        let staff = testing::staff(&core);
        let before = testing::dump(&backend);
        let err = core
            .issue_token(&staff[0], "nobody", "  ", Some(testing::now()))
            .expect_err("invalid");
        let CoreError::Validation(fields) = err else {
            panic!("expected validation, got {err:?}");
        };
        let names: Vec<_> = fields.iter().map(|f| f.field.as_str()).collect();
        assert_eq!(names, ["label", "expires_at", "user"]);
        assert_eq!(testing::dump(&backend), before);
    }

    #[test]
    fn only_user_managers_issue_list_and_revoke() {
        let (core, _) = testing::core();
        let staff = testing::staff(&core);
        let (info, _) = core
            .issue_token(&staff[0], "admin", "own", None)
            .expect("admin issues");
        for actor in &staff {
            let allowed = crate::auth::allowed(actor.role, Operation::UserManage);
            let issued = core.issue_token(actor, &actor.name, "mine", None);
            assert_eq!(issued.is_ok(), allowed, "{:?}", actor.role);
            assert_eq!(core.tokens(actor, None).is_ok(), allowed);
            if !allowed {
                assert!(matches!(
                    core.revoke_token(actor, info.id),
                    Err(CoreError::Forbidden { .. })
                ));
            }
        }
        assert_eq!(staff[0].role, Role::Admin);
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        /// Any string that is not an issued secret never authenticates — including the issued
        /// secret with one character changed.
        #[test]
        fn only_the_exact_secret_authenticates(guess in "uc_[A-Za-z0-9_-]{0,60}", flip in 0usize..46) {
            let (core, _) = testing::core();
            let staff = testing::staff(&core);
            let (_, secret) = core.issue_token(&staff[0], "manager", "p", None).expect("issued");
            prop_assume!(guess != secret.expose());
            prop_assert!(core.authenticate_token(&guess).is_err());
            let mut changed: Vec<u8> = secret.expose().as_bytes().to_vec();
            let i = flip % changed.len();
            changed[i] = if changed[i] == b'A' { b'B' } else { b'A' };
            let changed = String::from_utf8(changed).expect("ascii");
            prop_assert!(core.authenticate_token(&changed).is_err());
            prop_assert!(core.authenticate_token(secret.expose()).is_ok());
        }

        /// A token with an expiry works exactly until that instant, then never again.
        #[test]
        fn expiry_is_exact(minutes in 1i64..100_000, probe in -200_000i64..200_000) {
            let (core, backend) = testing::core();
            let staff = testing::staff(&core);
            let expires = testing::now() + Duration::minutes(minutes);
            let (_, secret) = core
                .issue_token(&staff[0], "investigator", "p", Some(expires))
                .expect("issued");
            let when = testing::now() + Duration::minutes(probe);
            let ok = at(&backend, when).authenticate_token(secret.expose()).is_ok();
            prop_assert_eq!(ok, when < expires);
        }
    }
}
