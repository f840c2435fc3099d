//! Free-text reasons carried by events.

use std::fmt;

use serde::{Deserialize, Serialize};

/// A free-text reason an actor gives for an event (why a case was reopened, what "other" means).
///
/// The text may name people or places, so it is personal data: its `Debug` output is redacted, so
/// that a logged error or state never carries it, and the core must store it encrypted.
/// JSON: a plain string.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Reason(String);

impl Reason {
    /// Wraps the text as given (no trimming, so that a replay sees exactly what was recorded).
    pub fn new(text: impl Into<String>) -> Self {
        Self(text.into())
    }

    /// The text as recorded.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// True when the text holds nothing but whitespace; guards that require a reason treat a blank
    /// one as missing.
    pub fn is_blank(&self) -> bool {
        self.0.trim().is_empty()
    }
}

impl From<&str> for Reason {
    fn from(text: &str) -> Self {
        Self::new(text)
    }
}

impl From<String> for Reason {
    fn from(text: String) -> Self {
        Self(text)
    }
}

impl fmt::Debug for Reason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Reason(<redacted, {} chars>)", self.0.chars().count())
    }
}
