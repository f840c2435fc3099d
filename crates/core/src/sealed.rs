//! Personal data sealed under its person's key before it reaches the store, so that erasing the
//! person (forgetting the key) shreds every copy at once, backups included.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer, de::DeserializeOwned};
use unchain_store::{StoreError, SubjectId, crypto};
use uuid::Uuid;

use crate::error::{CoreError, Result};
use crate::unchain::Unchain;

/// An encrypted value (an envelope from the keyring), stored as base64 inside a record. Its
/// `Debug` shows only its length.
#[derive(Clone, PartialEq, Eq)]
pub struct Sealed(pub(crate) Vec<u8>);

impl fmt::Debug for Sealed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Sealed({} bytes)", self.0.len())
    }
}

impl Serialize for Sealed {
    fn serialize<S: Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        use base64::Engine as _;
        s.serialize_str(&base64::engine::general_purpose::STANDARD_NO_PAD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for Sealed {
    fn deserialize<D: Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        use base64::Engine as _;
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD_NO_PAD
            .decode(text.as_bytes())
            .map(Sealed)
            .map_err(serde::de::Error::custom)
    }
}

/// The associated data that binds a sealed value to where it lives, so an envelope copied into
/// another record (or another field) does not open.
fn context(kind: &str, id: Uuid, field: &str) -> Vec<u8> {
    crypto::context(&[kind.as_bytes(), id.as_bytes(), field.as_bytes()])
}

impl Unchain {
    /// Seals `value` for `subject` (a person), bound to the record `kind:id` and `field`.
    pub(crate) fn seal<T: Serialize>(
        &self,
        subject: Uuid,
        kind: &str,
        id: Uuid,
        field: &str,
        value: &T,
    ) -> Result<Sealed> {
        self.seal_with(None, subject, kind, id, field, value)
    }

    /// [`Self::seal`], with a new subject's key from `fresh` when given (a bulk import: the
    /// keys are stored in the same commit as the values, `Keyring::store_fresh`).
    pub(crate) fn seal_with<T: Serialize>(
        &self,
        fresh: Option<&crypto::FreshKeys>,
        subject: Uuid,
        kind: &str,
        id: Uuid,
        field: &str,
        value: &T,
    ) -> Result<Sealed> {
        let plain = zeroize::Zeroizing::new(
            serde_json::to_vec(value)
                .map_err(|e| CoreError::Store(StoreError::Backend(e.to_string())))?,
        );
        let (subject, context) = (SubjectId::from(subject), context(kind, id, field));
        let envelope = match fresh {
            Some(keys) => keys.seal(&subject, &context, &plain)?,
            None => self.keyring.seal(&subject, &context, &plain)?,
        };
        Ok(Sealed(envelope))
    }

    /// Seals raw bytes (documents).
    pub(crate) fn seal_bytes(
        &self,
        subject: Uuid,
        kind: &str,
        id: Uuid,
        field: &str,
        bytes: &[u8],
    ) -> Result<Sealed> {
        let envelope =
            self.keyring
                .seal(&SubjectId::from(subject), &context(kind, id, field), bytes)?;
        Ok(Sealed(envelope))
    }

    /// Opens a sealed value; `None` when its person was erased (the key is gone).
    pub(crate) fn unseal<T: DeserializeOwned>(
        &self,
        sealed: &Sealed,
        kind: &str,
        id: Uuid,
        field: &str,
    ) -> Result<Option<T>> {
        match self.keyring.unseal(&context(kind, id, field), &sealed.0) {
            Ok(plain) => serde_json::from_slice(&plain).map(Some).map_err(|e| {
                CoreError::Store(StoreError::Corrupt(format!("{kind} {id} {field}: {e}")))
            }),
            Err(StoreError::Forgotten(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }

    /// Opens sealed bytes; `None` when its person was erased.
    pub(crate) fn unseal_bytes(
        &self,
        sealed: &Sealed,
        kind: &str,
        id: Uuid,
        field: &str,
    ) -> Result<Option<Vec<u8>>> {
        match self.keyring.unseal(&context(kind, id, field), &sealed.0) {
            Ok(plain) => Ok(Some(plain.to_vec())),
            Err(StoreError::Forgotten(_)) => Ok(None),
            Err(e) => Err(e.into()),
        }
    }
}
