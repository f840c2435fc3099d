//! Users and the actor of every operation. A user has a unique name and one role; the actor is
//! the authenticated user as the core sees it when an operation runs.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Role;
use crate::records::Record;

/// A staff account.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct User {
    /// Unique login name (lower case letters, digits, `.`, `-`, `_`).
    pub name: String,
    /// The one role that decides what the user may do.
    pub role: Role,
    /// A disabled user can do nothing (kept for the audit trail).
    pub active: bool,
    /// When the account was made.
    pub created_at: DateTime<Utc>,
}

impl Record for User {
    const COLLECTION: &'static str = "users";
    const KIND: &'static str = "user";
}

/// Who is acting: resolved from a user name (CLI) or a token (HTTP) before any operation.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Actor {
    /// The user's id.
    pub id: Uuid,
    /// The user's name, as written to the audit chain.
    pub name: String,
    /// The user's role.
    pub role: Role,
}

/// The system itself (initialisation, migrations): never a logged-in user.
pub const SYSTEM: &str = "system";

/// Checks a user name: 1–64 characters of `a-z`, `0-9`, `.`, `-`, `_`, starting with a letter.
pub fn validate_name(name: &str) -> Result<(), String> {
    let ok_chars = name
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || matches!(c, '.' | '-' | '_'));
    let starts = name.chars().next().is_some_and(|c| c.is_ascii_lowercase());
    if name.is_empty() || name.len() > 64 || !ok_chars || !starts {
        return Err("1 to 64 characters of a-z, 0-9, '.', '-', '_', starting with a letter".into());
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names() {
        for good in ["admin", "j.smith", "a1", "case-worker_2"] {
            assert!(validate_name(good).is_ok(), "{good}");
        }
        for bad in ["", "Admin", "1abc", "a b", "ä", &"a".repeat(65)] {
            assert!(validate_name(bad).is_err(), "{bad}");
        }
    }
}
