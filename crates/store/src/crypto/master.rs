//! The master key: where it comes from (a key file or the environment), how it is identified, and
//! how it is kept out of memory dumps and logs.

use std::fmt;
use std::io::{Read, Write};
use std::path::Path;

use base64::Engine as _;
use chacha20poly1305::{Key, KeyInit, XChaCha20Poly1305};
use sha2::{Digest, Sha256};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

use crate::error::{Result, StoreError};

/// The environment variable [`MasterKey::from_env`] reads: 64 hex digits or the base64 form of
/// 32 bytes (e.g. the output of `openssl rand -base64 32`).
pub const MASTER_KEY_ENV: &str = "UNCHAIN_MASTER_KEY";

/// The length of a master key in bytes (256 bits).
const KEY_LEN: usize = 32;

/// A key file is a few dozen characters; refusing anything larger means a wrong path (a database
/// file, a device) fails fast with a clear message instead of being read into memory.
const MAX_KEY_FILE_LEN: u64 = 4096;

/// The 256-bit key that wraps every subject's data key.
///
/// The bytes are zeroized when the value is dropped, and `Debug` shows only the key's
/// [`MasterKeyId`]. The type is deliberately not `Clone`: every copy of a key is one more place it
/// can leak from.
#[derive(Zeroize, ZeroizeOnDrop)]
pub struct MasterKey {
    bytes: [u8; KEY_LEN],
    // The fingerprint is public (it is stored beside the data), so it needs no zeroizing.
    #[zeroize(skip)]
    id: MasterKeyId,
}

impl MasterKey {
    /// Wraps 32 key bytes. The caller remains responsible for zeroizing its own copy.
    pub fn from_bytes(bytes: [u8; KEY_LEN]) -> Self {
        let id = MasterKeyId::of(&bytes);
        Self { bytes, id }
    }

    /// Builds a key in place, so the bytes never sit in a temporary that is not zeroized.
    fn filled(fill: impl FnOnce(&mut [u8; KEY_LEN]) -> Result<()>) -> Result<Self> {
        let mut key = Self {
            bytes: [0; KEY_LEN],
            id: MasterKeyId([0; 8]),
        };
        // On error `key` is dropped here, which zeroizes whatever `fill` wrote.
        fill(&mut key.bytes)?;
        key.id = MasterKeyId::of(&key.bytes);
        Ok(key)
    }

    /// A fresh random key from the operating system's generator.
    pub fn generate() -> Result<Self> {
        Self::filled(|bytes| {
            getrandom::getrandom(bytes)
                .map_err(|e| StoreError::Key(format!("the system random generator failed: {e}")))
        })
    }

    /// Parses a key written as 64 hex digits or as base64 (standard or URL-safe alphabet, padded
    /// or not) of exactly 32 bytes. Surrounding whitespace is ignored.
    ///
    /// Error messages never repeat the text: it may be (most of) a real key.
    pub fn parse(text: &str) -> Result<Self> {
        let text = text.trim();
        Self::filled(|bytes| {
            if text.len() == 2 * KEY_LEN && text.bytes().all(|b| b.is_ascii_hexdigit()) {
                hex::decode_to_slice(text, bytes).map_err(|_| malformed())?;
            } else {
                decode_base64(text, bytes)?;
            }
            // An all-zero key is a placeholder someone forgot to replace, never a generated key.
            if bytes.iter().all(|&b| b == 0) {
                return Err(StoreError::Key(
                    "the master key is all zeros: generate a real one (e.g. `openssl rand -hex \
                     32`)"
                        .into(),
                ));
            }
            Ok(())
        })
    }

    /// Reads the key from [`MASTER_KEY_ENV`]: `Ok(None)` when the variable is not set, an error
    /// when it is set but is not a valid key.
    pub fn from_env() -> Result<Option<Self>> {
        Self::from_env_value(std::env::var_os(MASTER_KEY_ENV))
    }

    /// The logic of [`from_env`](Self::from_env), separated so it can be tested without touching
    /// the process environment (which is not thread-safe to modify).
    fn from_env_value(value: Option<std::ffi::OsString>) -> Result<Option<Self>> {
        let Some(value) = value else {
            return Ok(None);
        };
        let value = Zeroizing::new(value.into_string().map_err(|_| {
            StoreError::Key(format!(
                "{MASTER_KEY_ENV} is not valid text; {}",
                expected()
            ))
        })?);
        if value.trim().is_empty() {
            return Err(StoreError::Key(format!(
                "{MASTER_KEY_ENV} is set but empty; {}",
                expected()
            )));
        }
        Self::parse(&value)
            .map(Some)
            .map_err(|e| StoreError::Key(format!("{MASTER_KEY_ENV}: {}", key_message(e))))
    }

    /// Generates a new key and writes it (64 hex digits and a newline) to a new file at `path`
    /// that only its owner may read or write (mode 0600).
    ///
    /// The file is created with `create_new`, so an existing file — possibly the only copy of the
    /// key that opens an existing store — is never overwritten. The file and its directory are
    /// synced before this returns, so the key is not lost in a crash right after initialisation.
    pub fn create_key_file(path: &Path) -> Result<Self> {
        let key = Self::generate()?;
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            // Set at creation, not with a later chmod, so the key is never readable by others,
            // not even for an instant.
            options.mode(0o600);
        }
        let mut file = options.open(path).map_err(|e| {
            if e.kind() == std::io::ErrorKind::AlreadyExists {
                StoreError::Key(format!(
                    "key file {} already exists; refusing to overwrite it (it may be the only \
                     key that opens an existing store)",
                    path.display()
                ))
            } else {
                StoreError::Key(format!("cannot create key file {}: {e}", path.display()))
            }
        })?;
        let mut text = Zeroizing::new(hex::encode(key.bytes));
        text.push('\n');
        let written = file
            .write_all(text.as_bytes())
            .and_then(|()| file.sync_all());
        if let Err(e) = written {
            drop(file);
            // We created this file a moment ago; leaving a truncated key behind would make the
            // next attempt fail with "already exists" and a key that opens nothing.
            let _ = std::fs::remove_file(path);
            return Err(StoreError::Key(format!(
                "cannot write key file {}: {e}",
                path.display()
            )));
        }
        sync_parent_dir(path);
        Ok(key)
    }

    /// Reads a key file written by [`create_key_file`](Self::create_key_file) (or by hand: 64 hex
    /// digits or base64 of 32 bytes).
    ///
    /// On Unix, a key file that its group or other users may access is refused with a message
    /// saying how to fix it: such a key may already have been copied.
    pub fn load_key_file(path: &Path) -> Result<Self> {
        let file = std::fs::File::open(path).map_err(|e| {
            StoreError::Key(format!("cannot open key file {}: {e}", path.display()))
        })?;
        // Metadata of the open handle, not of the path, so the file checked is the file read.
        let meta = file.metadata().map_err(|e| {
            StoreError::Key(format!("cannot inspect key file {}: {e}", path.display()))
        })?;
        if !meta.is_file() {
            return Err(StoreError::Key(format!(
                "key file {} is not a regular file",
                path.display()
            )));
        }
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = meta.permissions().mode() & 0o777;
            if mode & 0o077 != 0 {
                return Err(StoreError::Key(format!(
                    "key file {} is accessible by group or others (mode {mode:04o}); it must be \
                     readable by its owner only: run `chmod 600 {}` (and consider the key \
                     exposed if others could read it)",
                    path.display(),
                    path.display()
                )));
            }
        }
        if meta.len() > MAX_KEY_FILE_LEN {
            return Err(StoreError::Key(format!(
                "key file {} is too large to be a key file ({} bytes)",
                path.display(),
                meta.len()
            )));
        }
        let mut raw = Zeroizing::new(Vec::with_capacity(128));
        file.take(MAX_KEY_FILE_LEN)
            .read_to_end(&mut raw)
            .map_err(|e| {
                StoreError::Key(format!("cannot read key file {}: {e}", path.display()))
            })?;
        let text = std::str::from_utf8(&raw).map_err(|_| {
            StoreError::Key(format!(
                "key file {} is not text; {}",
                path.display(),
                expected()
            ))
        })?;
        Self::parse(text).map_err(|e| {
            StoreError::Key(format!("key file {}: {}", path.display(), key_message(e)))
        })
    }

    /// The key's public fingerprint, stored beside the data to recognise the right key.
    pub fn id(&self) -> MasterKeyId {
        self.id
    }

    /// The key as an AEAD cipher (the cipher zeroizes its copy of the key when dropped).
    pub(crate) fn cipher(&self) -> XChaCha20Poly1305 {
        // `from_slice` borrows: no unzeroized copy of the key is made on the way.
        XChaCha20Poly1305::new(Key::from_slice(&self.bytes))
    }
}

impl fmt::Debug for MasterKey {
    // The id identifies the key without revealing it; the bytes never appear.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("MasterKey")
            .field("id", &self.id)
            .field("bytes", &"<redacted>")
            .finish()
    }
}

/// A master key's fingerprint: the first 8 bytes of SHA-256 over a domain label and the key.
///
/// It is stored in the keyring's records so that a wrong master key is reported as such ("this
/// store was sealed with key 3f…, not 9a…") instead of producing garbage. SHA-256 is one-way, so
/// the fingerprint reveals nothing usable about the key.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct MasterKeyId([u8; 8]);

impl MasterKeyId {
    /// The fingerprint of `key`.
    fn of(key: &[u8; KEY_LEN]) -> Self {
        let mut hasher = Sha256::new();
        hasher.update(b"unchain/master-key-id/v1\0");
        hasher.update(key);
        let digest = hasher.finalize();
        let mut id = [0u8; 8];
        id.copy_from_slice(&digest[..8]);
        Self(id)
    }

    /// Rebuilds an id read from a stored record.
    pub(crate) const fn from_bytes(bytes: [u8; 8]) -> Self {
        Self(bytes)
    }

    /// The raw fingerprint bytes.
    pub const fn as_bytes(&self) -> &[u8; 8] {
        &self.0
    }
}

impl fmt::Display for MasterKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

impl fmt::Debug for MasterKeyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MasterKeyId({self})")
    }
}

fn expected() -> &'static str {
    "expected 64 hex digits or the base64 form of 32 bytes"
}

fn malformed() -> StoreError {
    StoreError::Key(format!("the master key is malformed: {}", expected()))
}

/// The message of a key error, without the `key error:` prefix, to re-wrap it with its source.
fn key_message(e: StoreError) -> String {
    match e {
        StoreError::Key(message) => message,
        other => other.to_string(),
    }
}

/// Decodes base64 in any common flavour into exactly 32 bytes.
fn decode_base64(text: &str, out: &mut [u8; KEY_LEN]) -> Result<()> {
    use base64::engine::general_purpose::{STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD};
    // Room for more than 32 bytes, so a too-long key is detected instead of cut short.
    let mut buf = Zeroizing::new([0u8; 2 * KEY_LEN]);
    for engine in [STANDARD, STANDARD_NO_PAD, URL_SAFE, URL_SAFE_NO_PAD] {
        if let Ok(n) = engine.decode_slice(text, buf.as_mut()) {
            if n == KEY_LEN {
                out.copy_from_slice(&buf[..KEY_LEN]);
                return Ok(());
            }
            return Err(StoreError::Key(format!(
                "the master key decodes to {n} bytes, not 32: {}",
                expected()
            )));
        }
    }
    Err(malformed())
}

/// Makes the new key file's directory entry durable. Best effort: some filesystems cannot sync a
/// directory, and the file's own contents were already synced.
fn sync_parent_dir(path: &Path) {
    let parent = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    if let Ok(dir) = std::fs::File::open(parent) {
        let _ = dir.sync_all();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const HEX: &str = "000102030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f";

    fn sample() -> [u8; 32] {
        std::array::from_fn(|i| i as u8)
    }

    #[test]
    fn parses_hex_and_every_base64_flavour() {
        let want = MasterKey::from_bytes(sample()).id();
        let b64 = base64::engine::general_purpose::STANDARD.encode(sample());
        let b64_url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(sample());
        for text in [
            HEX.to_owned(),
            HEX.to_uppercase(),
            format!("  {HEX}\n"),
            b64.clone(),
            b64.trim_end_matches('=').to_owned(),
            b64_url,
        ] {
            assert_eq!(MasterKey::parse(&text).map(|k| k.id()).ok(), Some(want));
        }
    }

    #[test]
    fn refuses_malformed_keys_without_echoing_them() {
        for text in [
            "",
            "abc",
            &HEX[..62],
            &format!("{HEX}00"),
            "zz02030405060708090a0b0c0d0e0f101112131415161718191a1b1c1d1e1f00",
            &"0".repeat(64),
            &base64::engine::general_purpose::STANDARD.encode([7u8; 31]),
        ] {
            let err = MasterKey::parse(text).err().map(|e| e.to_string());
            let err = err.unwrap_or_default();
            assert!(err.starts_with("key error:"), "{err}");
            if text.len() > 4 {
                assert!(!err.contains(text), "error echoes the key: {err}");
            }
        }
    }

    #[test]
    fn env_value_absent_empty_and_valid() {
        assert!(matches!(MasterKey::from_env_value(None), Ok(None)));
        let empty = MasterKey::from_env_value(Some("  ".into())).err();
        assert!(matches!(empty, Some(StoreError::Key(m)) if m.contains(MASTER_KEY_ENV)));
        let bad = MasterKey::from_env_value(Some("nope".into())).err();
        assert!(matches!(bad, Some(StoreError::Key(m)) if m.starts_with(MASTER_KEY_ENV)));
        let good = MasterKey::from_env_value(Some(HEX.into())).ok().flatten();
        assert_eq!(
            good.map(|k| k.id()),
            Some(MasterKey::from_bytes(sample()).id())
        );
    }

    #[test]
    fn debug_and_id_do_not_reveal_the_key() {
        let key = MasterKey::from_bytes(sample());
        let debug = format!("{key:?}");
        assert!(debug.contains("<redacted>"));
        assert!(!debug.contains(HEX) && !debug.contains("0, 1, 2"));
        assert_eq!(key.id().to_string().len(), 16);
        assert_ne!(key.id(), MasterKey::from_bytes([9; 32]).id());
    }

    #[test]
    fn generated_keys_differ() {
        let a = MasterKey::generate().map(|k| k.id()).ok();
        let b = MasterKey::generate().map(|k| k.id()).ok();
        assert!(a.is_some() && a != b);
    }

    #[cfg(unix)]
    #[test]
    fn key_file_is_owner_only_never_overwritten_and_checked_on_load() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("master.key");
        let created = MasterKey::create_key_file(&path).unwrap().id();
        let mode = std::fs::metadata(&path).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
        assert_eq!(MasterKey::load_key_file(&path).unwrap().id(), created);

        let again = MasterKey::create_key_file(&path).unwrap_err().to_string();
        assert!(again.contains("already exists"), "{again}");
        assert_eq!(MasterKey::load_key_file(&path).unwrap().id(), created);

        for mode in [0o644, 0o640, 0o604, 0o660] {
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(mode)).unwrap();
            let err = MasterKey::load_key_file(&path).map(|_| ()).unwrap_err();
            let err = err.to_string();
            assert!(err.contains("accessible by group or others"), "{err}");
            assert!(err.contains("chmod 600"), "{err}");
        }
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o400)).unwrap();
        assert_eq!(MasterKey::load_key_file(&path).unwrap().id(), created);

        let missing = MasterKey::load_key_file(&dir.path().join("nope")).map(|_| ());
        assert!(matches!(missing, Err(StoreError::Key(_))));
        let not_a_file = MasterKey::load_key_file(dir.path()).map(|_| ());
        assert!(matches!(not_a_file, Err(StoreError::Key(_))));
    }
}
