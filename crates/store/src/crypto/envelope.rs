//! The sealed-value format: a small versioned header, a random nonce, and XChaCha20-Poly1305
//! ciphertext with its tag.
//!
//! ```text
//! offset  length  field
//!      0       1  magic 0xF5 (never valid UTF-8, so a sealed value cannot pass for text or JSON)
//!      1       1  envelope version (1)
//!      2      16  subject id: whose data key sealed the value
//!     18       4  data-key generation, big-endian u32
//!     22      24  nonce (random)
//!     46       n  ciphertext (same length as the plaintext)
//!   46+n      16  Poly1305 tag
//! ```
//!
//! The associated data is the 22-byte header followed by the caller's context, so changing any
//! header byte, the context, the ciphertext or the tag makes the value fail to open.

use std::fmt;

use chacha20poly1305::aead::AeadInPlace;
use chacha20poly1305::{Tag, XChaCha20Poly1305, XNonce};
use zeroize::Zeroizing;

use super::subject::SubjectId;
use crate::error::{Result, StoreError};

/// The envelope version this build writes (and the only one it reads).
pub const ENVELOPE_VERSION: u8 = 1;

/// The first byte of every sealed value.
pub(crate) const MAGIC: u8 = 0xF5;
const HEADER_LEN: usize = 2 + SubjectId::LEN + 4;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
/// Header and nonce: where the ciphertext starts.
const BODY_START: usize = HEADER_LEN + NONCE_LEN;
/// The size of a sealed empty value.
pub(crate) const MIN_LEN: usize = BODY_START + TAG_LEN;

/// The parsed header of a sealed value (the ciphertext itself stays where it is).
///
/// Parsing checks only the shape (magic, version, length); whether the value opens is for
/// [`Keyring::unseal`](super::Keyring::unseal) to find out.
#[derive(Clone, Copy)]
pub struct Envelope<'a> {
    subject: SubjectId,
    generation: u32,
    raw: &'a [u8],
}

impl<'a> Envelope<'a> {
    /// Reads the header of a sealed value.
    ///
    /// Fails with [`StoreError::Crypto`] on a value that is not an envelope, is truncated, or has
    /// an envelope version this build does not know.
    pub fn parse(raw: &'a [u8]) -> Result<Self> {
        match raw {
            [] => return Err(crypto("the sealed value is empty")),
            [m, ..] if *m != MAGIC => {
                return Err(crypto("not a sealed value (unknown leading byte)"));
            }
            [_, v, ..] if *v != ENVELOPE_VERSION => {
                return Err(StoreError::Crypto(format!(
                    "unknown envelope version {v} (this build reads version \
                     {ENVELOPE_VERSION}); was it written by a newer unchain?"
                )));
            }
            _ => {}
        }
        if raw.len() < MIN_LEN {
            return Err(StoreError::Crypto(format!(
                "the sealed value is truncated: {} bytes, an envelope has at least {MIN_LEN}",
                raw.len()
            )));
        }
        let mut subject = [0u8; SubjectId::LEN];
        subject.copy_from_slice(&raw[2..2 + SubjectId::LEN]);
        let mut generation = [0u8; 4];
        generation.copy_from_slice(&raw[2 + SubjectId::LEN..HEADER_LEN]);
        Ok(Self {
            subject: SubjectId::from_bytes(subject),
            generation: u32::from_be_bytes(generation),
            raw,
        })
    }

    /// True when `raw` starts like an envelope (the magic byte). A cheap hint for tools that
    /// meet a value and must decide whether to open it; [`parse`](Self::parse) is the real check.
    pub fn looks_sealed(raw: &[u8]) -> bool {
        raw.first() == Some(&MAGIC)
    }

    /// Whose data key sealed the value.
    pub fn subject(&self) -> SubjectId {
        self.subject
    }

    /// The generation of the subject's data key that sealed the value.
    pub fn generation(&self) -> u32 {
        self.generation
    }

    /// The length of the plaintext inside.
    pub fn plaintext_len(&self) -> usize {
        self.raw.len() - MIN_LEN
    }

    /// Decrypts and authenticates the value with the subject's data key.
    pub(crate) fn open_with(
        &self,
        cipher: &XChaCha20Poly1305,
        context: &[u8],
    ) -> Result<Zeroizing<Vec<u8>>> {
        let raw = self.raw;
        let nonce = XNonce::from_slice(&raw[HEADER_LEN..BODY_START]);
        let tag_at = raw.len() - TAG_LEN;
        let tag = Tag::from_slice(&raw[tag_at..]);
        let mut buf = Zeroizing::new(raw[BODY_START..tag_at].to_vec());
        let aad = associated_data(&raw[..HEADER_LEN], context);
        // The tag is verified before anything is decrypted, so on failure `buf` still holds
        // ciphertext and no unauthenticated plaintext is ever returned.
        cipher
            .decrypt_in_place_detached(nonce, &aad, buf.as_mut_slice(), tag)
            .map_err(|_| {
                crypto(
                    "authentication failed: the value was tampered with, belongs to another \
                     record (context mismatch), or was sealed under another key",
                )
            })?;
        Ok(buf)
    }
}

impl fmt::Debug for Envelope<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Envelope")
            .field("subject", &self.subject)
            .field("generation", &self.generation)
            .field("plaintext_len", &self.plaintext_len())
            .finish()
    }
}

/// Seals `plaintext` under `cipher` (the subject's data key) into a new envelope.
pub(crate) fn seal_with(
    cipher: &XChaCha20Poly1305,
    subject: &SubjectId,
    generation: u32,
    context: &[u8],
    plaintext: &[u8],
) -> Result<Vec<u8>> {
    let mut out = Vec::with_capacity(MIN_LEN + plaintext.len());
    out.push(MAGIC);
    out.push(ENVELOPE_VERSION);
    out.extend_from_slice(subject.as_bytes());
    out.extend_from_slice(&generation.to_be_bytes());
    let mut nonce = [0u8; NONCE_LEN];
    // 192-bit random nonces: collisions are negligible even after 2^64 seals under one key, so
    // no nonce counter has to be stored or coordinated.
    random_bytes(&mut nonce)?;
    out.extend_from_slice(&nonce);
    out.extend_from_slice(plaintext);
    let aad = associated_data(&out[..HEADER_LEN], context);
    let tag = cipher
        .encrypt_in_place_detached(XNonce::from_slice(&nonce), &aad, &mut out[BODY_START..])
        .map_err(|_| crypto("the value is too large to seal"))?;
    out.extend_from_slice(&tag);
    Ok(out)
}

/// The header binds version, subject and generation; the context binds the record's location.
/// The header has a fixed length, so the concatenation is unambiguous.
fn associated_data(header: &[u8], context: &[u8]) -> Vec<u8> {
    let mut aad = Vec::with_capacity(header.len() + context.len());
    aad.extend_from_slice(header);
    aad.extend_from_slice(context);
    aad
}

/// Builds a sealing context from parts, each prefixed with its length, so that distinct part
/// lists never produce the same bytes (`["ab", "c"]` ≠ `["a", "bc"]`).
///
/// A good context names where the value lives, e.g.
/// `context(&[b"persons", &record_key, b"name"])`: a sealed value copied to another record or
/// field then fails to open. The context is not secret and is not stored in the envelope; the
/// caller supplies it again to open.
pub fn context(parts: &[&[u8]]) -> Vec<u8> {
    let mut out = Vec::with_capacity(parts.iter().map(|p| p.len() + 4).sum());
    for part in parts {
        // A part longer than 4 GiB cannot be a context; saturating keeps this total.
        let len = u32::try_from(part.len()).unwrap_or(u32::MAX);
        out.extend_from_slice(&len.to_be_bytes());
        out.extend_from_slice(part);
    }
    out
}

/// Fills `buf` from the operating system's random generator.
pub(crate) fn random_bytes(buf: &mut [u8]) -> Result<()> {
    getrandom::getrandom(buf)
        .map_err(|e| StoreError::Crypto(format!("the system random generator failed: {e}")))
}

fn crypto(message: &str) -> StoreError {
    StoreError::Crypto(message.to_owned())
}

#[cfg(test)]
mod tests {
    use chacha20poly1305::KeyInit;

    use super::*;

    fn cipher(byte: u8) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(&[byte; 32].into())
    }

    const SUBJECT: SubjectId = SubjectId::from_bytes([7; 16]);

    #[test]
    fn layout_is_as_documented() {
        let sealed = seal_with(&cipher(1), &SUBJECT, 0x0102_0304, b"ctx", b"hello").unwrap();
        assert_eq!(sealed.len(), 46 + 5 + 16);
        assert_eq!(sealed[0], 0xF5);
        assert_eq!(sealed[1], 1);
        assert_eq!(&sealed[2..18], SUBJECT.as_bytes());
        assert_eq!(&sealed[18..22], &[1, 2, 3, 4]);
        let env = Envelope::parse(&sealed).unwrap();
        assert_eq!(env.subject(), SUBJECT);
        assert_eq!(env.generation(), 0x0102_0304);
        assert_eq!(env.plaintext_len(), 5);
        assert!(Envelope::looks_sealed(&sealed));
        assert_eq!(
            &env.open_with(&cipher(1), b"ctx").unwrap()[..],
            b"hello".as_slice()
        );
    }

    #[test]
    fn same_plaintext_seals_differently() {
        let a = seal_with(&cipher(1), &SUBJECT, 1, b"", b"same").unwrap();
        let b = seal_with(&cipher(1), &SUBJECT, 1, b"", b"same").unwrap();
        assert_ne!(a, b);
    }

    #[test]
    fn wrong_key_or_context_fails() {
        let sealed = seal_with(&cipher(1), &SUBJECT, 1, b"ctx", b"secret").unwrap();
        let env = Envelope::parse(&sealed).unwrap();
        assert!(matches!(
            env.open_with(&cipher(2), b"ctx"),
            Err(StoreError::Crypto(_))
        ));
        assert!(matches!(
            env.open_with(&cipher(1), b"ctx2"),
            Err(StoreError::Crypto(_))
        ));
        assert!(matches!(
            env.open_with(&cipher(1), b""),
            Err(StoreError::Crypto(_))
        ));
    }

    #[test]
    fn every_flipped_bit_is_detected() {
        let sealed = seal_with(&cipher(1), &SUBJECT, 1, b"ctx", b"a secret").unwrap();
        for i in 0..sealed.len() {
            for bit in 0..8 {
                let mut bad = sealed.clone();
                bad[i] ^= 1 << bit;
                let opened = Envelope::parse(&bad).and_then(|e| e.open_with(&cipher(1), b"ctx"));
                assert!(opened.is_err(), "byte {i} bit {bit}");
            }
        }
    }

    #[test]
    fn malformed_envelopes_get_clear_errors() {
        let sealed = seal_with(&cipher(1), &SUBJECT, 1, b"", b"x").unwrap();
        let message = |raw: &[u8]| match Envelope::parse(raw) {
            Err(StoreError::Crypto(m)) => m,
            other => panic!("unexpected {other:?}"),
        };
        assert!(message(&[]).contains("empty"));
        assert!(message(b"plain text").contains("not a sealed value"));
        let mut future = sealed.clone();
        future[1] = 2;
        assert!(message(&future).contains("unknown envelope version 2"));
        for len in 1..MIN_LEN {
            assert!(message(&sealed[..len]).contains("truncated") || len == 1);
        }
        assert!(message(&sealed[..1]).contains("truncated"));
    }

    #[test]
    fn contexts_are_unambiguous() {
        assert_ne!(context(&[b"ab", b"c"]), context(&[b"a", b"bc"]));
        assert_ne!(context(&[b"abc"]), context(&[b"abc", b""]));
        assert_eq!(context(&[b"x"]), vec![0, 0, 0, 1, b'x']);
    }
}
