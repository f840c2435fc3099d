//! Keys that sort correctly as bytes.
//!
//! Every backend orders keys by their bytes (lexicographically). These helpers encode values so
//! that byte order equals logical order: integers big-endian (signed ones with the sign bit
//! flipped), uuids as their 16 bytes (v7 uuids begin with a millisecond timestamp, so they sort by
//! creation time), and composite keys as a sequence of self-delimiting parts, so that
//! `("a", 2) < ("ab", 1)` as bytes too.

use uuid::Uuid;

use crate::error::{Result, StoreError};

/// `n` as 8 big-endian bytes: byte order equals numeric order.
pub fn u64_key(n: u64) -> [u8; 8] {
    n.to_be_bytes()
}

/// Reads back a [`u64_key`].
pub fn decode_u64(bytes: &[u8]) -> Option<u64> {
    Some(u64::from_be_bytes(bytes.try_into().ok()?))
}

/// `n` as 8 bytes whose order equals numeric order: big-endian with the sign bit flipped, so that
/// negative numbers sort before positive ones.
pub fn i64_key(n: i64) -> [u8; 8] {
    ((n as u64) ^ (1 << 63)).to_be_bytes()
}

/// Reads back an [`i64_key`].
pub fn decode_i64(bytes: &[u8]) -> Option<i64> {
    Some((decode_u64(bytes)? ^ (1 << 63)) as i64)
}

/// A uuid's 16 bytes. For v7 uuids byte order is creation order (to the millisecond, then by the
/// uuid's counter/random bits).
pub fn uuid_key(id: &Uuid) -> [u8; 16] {
    *id.as_bytes()
}

/// A new time-ordered (v7) uuid, for keys that should sort by creation time.
pub fn new_time_ordered_uuid() -> Uuid {
    Uuid::now_v7()
}

/// Builds a composite key whose byte order is the tuple order of its parts.
///
/// Fixed-width parts (integers, uuids) are written as is. Variable-length parts (strings, bytes)
/// are escaped — `0x00` becomes `0x00 0xFF` — and terminated by `0x00 0x01`, so a shorter part
/// sorts before any longer part it is a prefix of, and no part's bytes can run into the next.
/// A key built from the first few parts is a prefix of every key that continues them: pass it to
/// [`crate::Scan::prefix`].
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct KeyBuilder {
    buf: Vec<u8>,
}

impl KeyBuilder {
    /// An empty key.
    pub fn new() -> Self {
        Self::default()
    }

    /// Appends an unsigned integer.
    pub fn u64(mut self, n: u64) -> Self {
        self.buf.extend_from_slice(&u64_key(n));
        self
    }

    /// Appends a signed integer.
    pub fn i64(mut self, n: i64) -> Self {
        self.buf.extend_from_slice(&i64_key(n));
        self
    }

    /// Appends a uuid.
    pub fn uuid(mut self, id: &Uuid) -> Self {
        self.buf.extend_from_slice(&uuid_key(id));
        self
    }

    /// Appends a string (escaped and terminated).
    pub fn str(self, s: &str) -> Self {
        self.bytes(s.as_bytes())
    }

    /// Appends a byte string (escaped and terminated).
    pub fn bytes(mut self, b: &[u8]) -> Self {
        for &byte in b {
            self.buf.push(byte);
            if byte == 0 {
                self.buf.push(0xFF);
            }
        }
        self.buf.extend_from_slice(&[0x00, 0x01]);
        self
    }

    /// The key's bytes.
    pub fn finish(self) -> Vec<u8> {
        self.buf
    }
}

/// Reads a composite key back, part by part, in the order it was built.
#[derive(Clone, Debug)]
pub struct KeyReader<'a> {
    rest: &'a [u8],
}

impl<'a> KeyReader<'a> {
    /// Starts reading `key`.
    pub fn new(key: &'a [u8]) -> Self {
        Self { rest: key }
    }

    fn take<const N: usize>(&mut self) -> Result<[u8; N]> {
        let (head, rest) = self
            .rest
            .split_first_chunk::<N>()
            .ok_or_else(|| StoreError::Corrupt("key shorter than its parts".into()))?;
        self.rest = rest;
        Ok(*head)
    }

    /// Reads an unsigned integer.
    pub fn u64(&mut self) -> Result<u64> {
        Ok(u64::from_be_bytes(self.take::<8>()?))
    }

    /// Reads a signed integer.
    pub fn i64(&mut self) -> Result<i64> {
        Ok((u64::from_be_bytes(self.take::<8>()?) ^ (1 << 63)) as i64)
    }

    /// Reads a uuid.
    pub fn uuid(&mut self) -> Result<Uuid> {
        Ok(Uuid::from_bytes(self.take::<16>()?))
    }

    /// Reads a byte string.
    pub fn bytes(&mut self) -> Result<Vec<u8>> {
        let mut out = Vec::new();
        let mut i = 0;
        loop {
            let Some(&b) = self.rest.get(i) else {
                return Err(StoreError::Corrupt("unterminated key part".into()));
            };
            if b != 0 {
                out.push(b);
                i += 1;
                continue;
            }
            match self.rest.get(i + 1) {
                Some(0xFF) => {
                    out.push(0);
                    i += 2;
                }
                Some(0x01) => {
                    self.rest = &self.rest[i + 2..];
                    return Ok(out);
                }
                _ => return Err(StoreError::Corrupt("bad escape in key part".into())),
            }
        }
    }

    /// Reads a string.
    pub fn str(&mut self) -> Result<String> {
        String::from_utf8(self.bytes()?)
            .map_err(|_| StoreError::Corrupt("key part is not UTF-8".into()))
    }

    /// True when every part has been read.
    pub fn is_empty(&self) -> bool {
        self.rest.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #[test]
        fn u64_order(a: u64, b: u64) {
            prop_assert_eq!(a.cmp(&b), u64_key(a).cmp(&u64_key(b)));
            prop_assert_eq!(decode_u64(&u64_key(a)), Some(a));
        }

        #[test]
        fn i64_order(a: i64, b: i64) {
            prop_assert_eq!(a.cmp(&b), i64_key(a).cmp(&i64_key(b)));
            prop_assert_eq!(decode_i64(&i64_key(a)), Some(a));
        }

        #[test]
        fn composite_order(
            a in (any::<i64>(), ".{0,6}", proptest::collection::vec(any::<u8>(), 0..6), any::<u64>()),
            b in (any::<i64>(), ".{0,6}", proptest::collection::vec(any::<u8>(), 0..6), any::<u64>()),
        ) {
            let key = |t: &(i64, String, Vec<u8>, u64)| {
                KeyBuilder::new().i64(t.0).str(&t.1).bytes(&t.2).u64(t.3).finish()
            };
            let (ka, kb) = (key(&a), key(&b));
            prop_assert_eq!(a.cmp(&b), ka.cmp(&kb));
            let mut r = KeyReader::new(&ka);
            prop_assert_eq!(r.i64().ok(), Some(a.0));
            prop_assert_eq!(r.str().ok(), Some(a.1.clone()));
            prop_assert_eq!(r.bytes().ok(), Some(a.2.clone()));
            prop_assert_eq!(r.u64().ok(), Some(a.3));
            prop_assert!(r.is_empty());
        }

        #[test]
        fn prefix_of_parts_is_byte_prefix(s: String, n: u64) {
            let prefix = KeyBuilder::new().str(&s).finish();
            let full = KeyBuilder::new().str(&s).u64(n).finish();
            prop_assert!(full.starts_with(&prefix));
        }

        #[test]
        fn reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..40)) {
            let mut r = KeyReader::new(&bytes);
            let _ = r.str();
            let _ = r.u64();
            let _ = r.uuid();
        }
    }

    #[test]
    fn v7_uuids_sort_by_time() {
        let a = Uuid::from_u128(0x0189_0000_0000_7000_8000_0000_0000_0001);
        let b = Uuid::from_u128(0x018a_0000_0000_7000_8000_0000_0000_0000);
        assert!(uuid_key(&a) < uuid_key(&b));
        let earlier = new_time_ordered_uuid();
        std::thread::sleep(std::time::Duration::from_millis(2));
        let later = new_time_ordered_uuid();
        assert!(uuid_key(&earlier) < uuid_key(&later));
    }
}
