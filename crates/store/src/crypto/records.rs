//! The keyring's own records in [`KEYS_COLLECTION`](super::KEYS_COLLECTION): the key check value
//! and one wrapped data key (or tombstone) per subject. Layouts are documented in
//! `docs/encryption.md`; every record starts with a format version so it can evolve.

use chacha20poly1305::aead::AeadInPlace;
use chacha20poly1305::{Key, KeyInit, Tag, XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use super::envelope::random_bytes;
use super::master::{MasterKey, MasterKeyId};
use super::subject::SubjectId;
use crate::error::{Result, StoreError};

/// The key of the check record.
pub(crate) const CHECK_KEY: &[u8] = b"check";
/// The prefix of every data-key record; the subject id follows.
pub(crate) const DATA_KEY_PREFIX: &[u8] = b"dk/";

const RECORD_VERSION: u8 = 1;
const STATE_LIVE: u8 = 1;
const STATE_FORGOTTEN: u8 = 2;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
const DATA_KEY_LEN: usize = 32;
const LIVE_LEN: usize = 2 + 4 + 8 + NONCE_LEN + DATA_KEY_LEN + TAG_LEN;
const TOMBSTONE_LEN: usize = 2 + 4;

/// The known plaintext of the key check value.
const CHECK_PLAINTEXT: &[u8; 16] = b"unchain-kcv-v1\0\0";
const CHECK_ENTRY_LEN: usize = 8 + NONCE_LEN + CHECK_PLAINTEXT.len() + TAG_LEN;

/// The backend key of `subject`'s data-key record.
pub(crate) fn data_key_key(subject: &SubjectId) -> Vec<u8> {
    let mut key = Vec::with_capacity(DATA_KEY_PREFIX.len() + SubjectId::LEN);
    key.extend_from_slice(DATA_KEY_PREFIX);
    key.extend_from_slice(subject.as_bytes());
    key
}

/// The subject of a data-key record's backend key.
pub(crate) fn subject_of_key(key: &[u8]) -> Option<SubjectId> {
    let id: [u8; SubjectId::LEN] = key.strip_prefix(DATA_KEY_PREFIX)?.try_into().ok()?;
    Some(SubjectId::from_bytes(id))
}

/// A subject's data-key record, parsed.
pub(crate) enum DataKeyRecord {
    /// The data key, wrapped under the master key `master`.
    Live {
        generation: u32,
        master: MasterKeyId,
        nonce: [u8; NONCE_LEN],
        wrapped: [u8; DATA_KEY_LEN + TAG_LEN],
    },
    /// The key was destroyed; the tombstone stops it from ever being created again.
    Forgotten,
}

impl DataKeyRecord {
    pub(crate) fn parse(subject: &SubjectId, raw: &[u8]) -> Result<Self> {
        let corrupt = |what: &str| {
            StoreError::Corrupt(format!("data-key record of subject {subject}: {what}"))
        };
        match raw {
            [RECORD_VERSION, STATE_LIVE, rest @ ..] if raw.len() == LIVE_LEN => {
                let (generation, rest) = rest.split_at(4);
                let (master, rest) = rest.split_at(8);
                let (nonce, wrapped) = rest.split_at(NONCE_LEN);
                Ok(Self::Live {
                    generation: u32::from_be_bytes(
                        generation.try_into().map_err(|_| corrupt("length"))?,
                    ),
                    master: MasterKeyId::from_bytes(
                        master.try_into().map_err(|_| corrupt("length"))?,
                    ),
                    nonce: nonce.try_into().map_err(|_| corrupt("length"))?,
                    wrapped: wrapped.try_into().map_err(|_| corrupt("length"))?,
                })
            }
            [RECORD_VERSION, STATE_FORGOTTEN, ..] if raw.len() == TOMBSTONE_LEN => {
                Ok(Self::Forgotten)
            }
            [RECORD_VERSION, ..] => Err(corrupt("unknown state or wrong length")),
            [v, ..] => Err(corrupt(&format!(
                "unknown record version {v} (written by a newer unchain?)"
            ))),
            [] => Err(corrupt("empty")),
        }
    }

    /// A tombstone. It keeps the last generation so a future re-keying scheme can continue from
    /// it instead of reusing a generation number.
    pub(crate) fn tombstone(generation: u32) -> Vec<u8> {
        let mut out = Vec::with_capacity(TOMBSTONE_LEN);
        out.extend_from_slice(&[RECORD_VERSION, STATE_FORGOTTEN]);
        out.extend_from_slice(&generation.to_be_bytes());
        out
    }
}

/// What the wrapping authenticates besides the key: whose key it is, which generation, and which
/// master wrapped it — so a wrapped key copied onto another subject's record does not unwrap.
fn wrap_aad(subject: &SubjectId, generation: u32, master: MasterKeyId) -> [u8; 20 + 16 + 4 + 8] {
    let mut aad = [0u8; 48];
    aad[..20].copy_from_slice(b"unchain/data-key/v1\0");
    aad[20..36].copy_from_slice(subject.as_bytes());
    aad[36..40].copy_from_slice(&generation.to_be_bytes());
    aad[40..].copy_from_slice(master.as_bytes());
    aad
}

/// A live data-key record: `key` wrapped under `master`.
pub(crate) fn wrap_data_key(
    master: &MasterKey,
    subject: &SubjectId,
    generation: u32,
    key: &[u8; DATA_KEY_LEN],
) -> Result<Vec<u8>> {
    let mut nonce = [0u8; NONCE_LEN];
    random_bytes(&mut nonce)?;
    let mut out = Vec::with_capacity(LIVE_LEN);
    out.extend_from_slice(&[RECORD_VERSION, STATE_LIVE]);
    out.extend_from_slice(&generation.to_be_bytes());
    out.extend_from_slice(master.id().as_bytes());
    out.extend_from_slice(&nonce);
    let start = out.len();
    out.extend_from_slice(key);
    let aad = wrap_aad(subject, generation, master.id());
    let tag = master
        .cipher()
        .encrypt_in_place_detached(XNonce::from_slice(&nonce), &aad, &mut out[start..])
        .map_err(|_| StoreError::Crypto("cannot wrap a data key".into()))?;
    out.extend_from_slice(&tag);
    Ok(out)
}

/// Unwraps a live record with `master` (whose id the caller matched against the record's).
pub(crate) fn unwrap_data_key(
    master: &MasterKey,
    subject: &SubjectId,
    generation: u32,
    nonce: &[u8; NONCE_LEN],
    wrapped: &[u8; DATA_KEY_LEN + TAG_LEN],
) -> Result<Zeroizing<[u8; DATA_KEY_LEN]>> {
    let mut key = Zeroizing::new([0u8; DATA_KEY_LEN]);
    key.copy_from_slice(&wrapped[..DATA_KEY_LEN]);
    let aad = wrap_aad(subject, generation, master.id());
    master
        .cipher()
        .decrypt_in_place_detached(
            XNonce::from_slice(nonce),
            &aad,
            key.as_mut(),
            Tag::from_slice(&wrapped[DATA_KEY_LEN..]),
        )
        .map_err(|_| {
            StoreError::Corrupt(format!(
                "the wrapped data key of subject {subject} fails authentication (the record \
                 was damaged or tampered with)"
            ))
        })?;
    Ok(key)
}

/// A data key as a ready cipher (which zeroizes its copy of the key when dropped).
pub(crate) fn data_cipher(key: &[u8; DATA_KEY_LEN]) -> XChaCha20Poly1305 {
    // `from_slice` borrows: no unzeroized copy of the key is made on the way.
    XChaCha20Poly1305::new(Key::from_slice(key))
}

/// A fresh random data key.
pub(crate) fn new_data_key() -> Result<Zeroizing<[u8; DATA_KEY_LEN]>> {
    let mut key = Zeroizing::new([0u8; DATA_KEY_LEN]);
    random_bytes(key.as_mut())?;
    Ok(key)
}

/// The check record: proof, for each master key it lists, that the key is the right one.
///
/// One entry normally; two during a rotation (the old key first, then the new one).
pub(crate) struct CheckRecord {
    pub(crate) entries: Vec<CheckEntry>,
}

/// One master key's check value.
pub(crate) struct CheckEntry {
    pub(crate) master: MasterKeyId,
    nonce: [u8; NONCE_LEN],
    sealed: [u8; CHECK_PLAINTEXT.len() + TAG_LEN],
}

impl CheckEntry {
    pub(crate) fn new(master: &MasterKey) -> Result<Self> {
        let mut nonce = [0u8; NONCE_LEN];
        random_bytes(&mut nonce)?;
        let mut sealed = [0u8; CHECK_PLAINTEXT.len() + TAG_LEN];
        sealed[..CHECK_PLAINTEXT.len()].copy_from_slice(CHECK_PLAINTEXT);
        let tag = master
            .cipher()
            .encrypt_in_place_detached(
                XNonce::from_slice(&nonce),
                &check_aad(master.id()),
                &mut sealed[..CHECK_PLAINTEXT.len()],
            )
            .map_err(|_| StoreError::Crypto("cannot compute the key check value".into()))?;
        sealed[CHECK_PLAINTEXT.len()..].copy_from_slice(&tag);
        Ok(Self {
            master: master.id(),
            nonce,
            sealed,
        })
    }

    /// True when `master` opens this check value: the id matched and the key really is it.
    pub(crate) fn verifies(&self, master: &MasterKey) -> bool {
        if self.master != master.id() {
            return false;
        }
        let mut buf = [0u8; CHECK_PLAINTEXT.len()];
        buf.copy_from_slice(&self.sealed[..CHECK_PLAINTEXT.len()]);
        master
            .cipher()
            .decrypt_in_place_detached(
                XNonce::from_slice(&self.nonce),
                &check_aad(master.id()),
                &mut buf,
                Tag::from_slice(&self.sealed[CHECK_PLAINTEXT.len()..]),
            )
            .is_ok()
            && &buf == CHECK_PLAINTEXT
    }
}

fn check_aad(master: MasterKeyId) -> [u8; 17 + 8] {
    let mut aad = [0u8; 25];
    aad[..17].copy_from_slice(b"unchain/check/v1\0");
    aad[17..].copy_from_slice(master.as_bytes());
    aad
}

impl CheckRecord {
    pub(crate) fn encode(&self) -> Vec<u8> {
        let mut out = Vec::with_capacity(2 + self.entries.len() * CHECK_ENTRY_LEN);
        out.push(RECORD_VERSION);
        // At most two entries exist (see `CheckRecord`), so the count always fits.
        out.push(u8::try_from(self.entries.len()).unwrap_or(u8::MAX));
        for entry in &self.entries {
            out.extend_from_slice(entry.master.as_bytes());
            out.extend_from_slice(&entry.nonce);
            out.extend_from_slice(&entry.sealed);
        }
        out
    }

    pub(crate) fn parse(raw: &[u8]) -> Result<Self> {
        let corrupt = |what: String| StoreError::Corrupt(format!("key check record: {what}"));
        let (count, body) = match raw {
            [RECORD_VERSION, count @ (1 | 2), body @ ..] => (usize::from(*count), body),
            [RECORD_VERSION, count, ..] => return Err(corrupt(format!("{count} entries"))),
            [v, ..] => {
                return Err(corrupt(format!(
                    "unknown record version {v} (written by a newer unchain?)"
                )));
            }
            [] => return Err(corrupt("empty".into())),
        };
        if body.len() != count * CHECK_ENTRY_LEN {
            return Err(corrupt(format!("wrong length {}", raw.len())));
        }
        let mut entries = Vec::with_capacity(count);
        for chunk in body.chunks_exact(CHECK_ENTRY_LEN) {
            let (master, rest) = chunk.split_at(8);
            let (nonce, sealed) = rest.split_at(NONCE_LEN);
            let length = || corrupt("length".into());
            entries.push(CheckEntry {
                master: MasterKeyId::from_bytes(master.try_into().map_err(|_| length())?),
                nonce: nonce.try_into().map_err(|_| length())?,
                sealed: sealed.try_into().map_err(|_| length())?,
            });
        }
        Ok(Self { entries })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUBJECT: SubjectId = SubjectId::from_bytes([3; 16]);

    #[test]
    fn data_key_wraps_and_unwraps_only_for_its_subject_and_master() {
        let master = MasterKey::from_bytes([1; 32]);
        let other = MasterKey::from_bytes([2; 32]);
        let key = new_data_key().unwrap();
        let record = wrap_data_key(&master, &SUBJECT, 1, &key).unwrap();
        assert_eq!(record.len(), LIVE_LEN);
        let DataKeyRecord::Live {
            generation,
            master: id,
            nonce,
            wrapped,
        } = DataKeyRecord::parse(&SUBJECT, &record).unwrap()
        else {
            panic!("not live")
        };
        assert_eq!((generation, id), (1, master.id()));
        assert!(unwrap_data_key(&master, &SUBJECT, 1, &nonce, &wrapped).is_ok());
        assert!(unwrap_data_key(&other, &SUBJECT, 1, &nonce, &wrapped).is_err());
        let elsewhere = SubjectId::from_bytes([4; 16]);
        assert!(unwrap_data_key(&master, &elsewhere, 1, &nonce, &wrapped).is_err());
        assert!(unwrap_data_key(&master, &SUBJECT, 2, &nonce, &wrapped).is_err());
    }

    #[test]
    fn tombstones_and_garbage_parse_as_expected() {
        let tomb = DataKeyRecord::tombstone(1);
        assert!(matches!(
            DataKeyRecord::parse(&SUBJECT, &tomb),
            Ok(DataKeyRecord::Forgotten)
        ));
        for bad in [&[][..], &[9, 1], &[1, 1, 0], &[1, 3, 0, 0, 0, 1]] {
            assert!(matches!(
                DataKeyRecord::parse(&SUBJECT, bad),
                Err(StoreError::Corrupt(_))
            ));
        }
    }

    #[test]
    fn check_record_round_trips_and_detects_the_wrong_key() {
        let a = MasterKey::from_bytes([1; 32]);
        let b = MasterKey::from_bytes([2; 32]);
        let record = CheckRecord {
            entries: vec![CheckEntry::new(&a).unwrap(), CheckEntry::new(&b).unwrap()],
        };
        let parsed = CheckRecord::parse(&record.encode()).unwrap();
        assert_eq!(parsed.entries.len(), 2);
        assert!(parsed.entries[0].verifies(&a) && !parsed.entries[0].verifies(&b));
        assert!(parsed.entries[1].verifies(&b));
        let mut raw = record.encode();
        raw[40] ^= 1;
        assert!(!CheckRecord::parse(&raw).unwrap().entries[0].verifies(&a));
        assert!(CheckRecord::parse(&raw[..raw.len() - 1]).is_err());
        assert!(CheckRecord::parse(&[]).is_err());
        assert_eq!(subject_of_key(&data_key_key(&SUBJECT)), Some(SUBJECT));
        assert_eq!(subject_of_key(b"dk/short"), None);
    }
}
