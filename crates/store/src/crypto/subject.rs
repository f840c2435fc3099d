//! The identity a data key belongs to.

use std::fmt;

/// Whose data a sealed value is: a person, or any record owner that can be erased as a unit.
///
/// Each subject has its own data key, so forgetting one subject (an erasure request) destroys one
/// key and nothing else. A subject id is a random 16-byte identifier (a UUID); it carries no
/// personal data, so it may be printed, logged and used in error messages.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SubjectId([u8; 16]);

impl SubjectId {
    /// The length of a subject id in bytes.
    pub const LEN: usize = 16;

    /// Wraps 16 raw bytes (e.g. a UUID's bytes).
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// A fresh random subject id (UUID version 4).
    pub fn random() -> Self {
        Self(*uuid::Uuid::new_v4().as_bytes())
    }

    /// The raw bytes.
    pub const fn as_bytes(&self) -> &[u8; 16] {
        &self.0
    }

    /// The id as a UUID.
    pub const fn as_uuid(&self) -> uuid::Uuid {
        uuid::Uuid::from_bytes(self.0)
    }
}

impl From<uuid::Uuid> for SubjectId {
    fn from(id: uuid::Uuid) -> Self {
        Self(*id.as_bytes())
    }
}

impl From<SubjectId> for uuid::Uuid {
    fn from(id: SubjectId) -> Self {
        id.as_uuid()
    }
}

impl fmt::Display for SubjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.as_uuid().hyphenated(), f)
    }
}

// Ids are not personal data, so Debug shows the whole id: that is what makes logs useful.
impl fmt::Debug for SubjectId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "SubjectId({self})")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prints_as_a_uuid() {
        let id = SubjectId::from_bytes([0xab; 16]);
        assert_eq!(id.to_string(), "abababab-abab-abab-abab-abababababab");
        assert_eq!(
            format!("{id:?}"),
            "SubjectId(abababab-abab-abab-abab-abababababab)"
        );
    }

    #[test]
    fn converts_to_and_from_uuid() {
        let u = uuid::Uuid::new_v4();
        let id = SubjectId::from(u);
        assert_eq!(uuid::Uuid::from(id), u);
        assert_ne!(SubjectId::random(), SubjectId::random());
    }
}
