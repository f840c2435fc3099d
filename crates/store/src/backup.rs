//! Backup and restore: a consistent snapshot of every collection and stream in one file.
//!
//! # Format (version 1)
//!
//! All integers big-endian.
//!
//! ```text
//! header   "UNCHBAK\0" (8) | format u32 = 1 | schema u32 | id watermark u64
//! records  'C' name_len u16 name            — the entries that follow belong to this collection
//!          'E' key_len u32 key version u64 value_len u32 value
//!          'S' name_len u16 name            — the entries that follow belong to this stream
//!          'A' seq u64 value_len u32 value
//! end      'Z' record_count u64
//! trailer  sha256 of every byte before it (32) | "UNCHEND\0" (8)
//! ```
//!
//! Values are copied as stored: sealed values stay ciphertext, and the wrapped data keys travel
//! in their own collection like any other, so a backup is no more readable than the store.
//!
//! Restore checks the whole file's digest *before* writing anything, so a flipped byte or a
//! truncated file is refused with [`StoreError::Corrupt`] and the target store stays empty.

use std::fs::File;
use std::io::{BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::ops::Bound;
use std::path::Path;

use sha2::{Digest, Sha256};

use crate::backend::{Backend, Batch, Entry, Scan, Versioned};
use crate::error::{Result, StoreError};
use crate::schema::{META_COLLECTION, SCHEMA_VERSION, read_schema_version};

const MAGIC: &[u8; 8] = b"UNCHBAK\0";
const END_MAGIC: &[u8; 8] = b"UNCHEND\0";
/// The format this build writes and reads.
pub const FORMAT_VERSION: u32 = 1;
const HEADER_LEN: u64 = 8 + 4 + 4 + 8;
const TRAILER_LEN: u64 = 32 + 8;
/// Entries read per page while backing up, and written per batch while restoring.
const PAGE: usize = 1000;

/// What a backup holds (or a restore wrote).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct BackupSummary {
    /// The store's schema version.
    pub schema_version: u32,
    /// Every id the store had generated is below this.
    pub id_watermark: u64,
    /// Collections, including the store's own `_meta`.
    pub collections: usize,
    /// Entries over all collections.
    pub entries: u64,
    /// Streams.
    pub streams: usize,
    /// Entries over all streams.
    pub stream_entries: u64,
    /// Size of the backup file in bytes.
    pub bytes: u64,
}

/// Writes a backup of `backend` to `out`, reading one consistent point in time (see
/// [`Backend::consistent_view`]; on sled, commits wait while the backup reads).
pub fn backup(backend: &dyn Backend, out: &mut dyn Write) -> Result<BackupSummary> {
    let mut writer = HashingWriter {
        inner: out,
        hasher: Sha256::new(),
        written: 0,
    };
    let mut summary = BackupSummary::default();
    let mut records: u64 = 0;
    backend.consistent_view(&mut |view| {
        // Ids generated after this one are not in the data we are about to read.
        let watermark = view.generate_id()?;
        let schema = read_schema_version(view)?.map_or(SCHEMA_VERSION, |(v, _)| v);
        summary.schema_version = schema;
        summary.id_watermark = watermark;
        writer.write(MAGIC)?;
        writer.write(&FORMAT_VERSION.to_be_bytes())?;
        writer.write(&schema.to_be_bytes())?;
        writer.write(&watermark.to_be_bytes())?;

        for name in view.collections()? {
            writer.write(b"C")?;
            write_name(&mut writer, &name)?;
            records += 1;
            summary.collections += 1;
            let mut start = Bound::Unbounded;
            loop {
                let page = view.scan(
                    &name,
                    &Scan {
                        start: start.clone(),
                        end: Bound::Unbounded,
                        limit: PAGE,
                        reverse: false,
                    },
                )?;
                for (key, v) in &page {
                    writer.write(b"E")?;
                    write_bytes(&mut writer, key)?;
                    writer.write(&v.version.to_be_bytes())?;
                    write_bytes(&mut writer, &v.value)?;
                }
                records += page.len() as u64;
                summary.entries += page.len() as u64;
                match page.last() {
                    Some((key, _)) if page.len() == PAGE => start = Bound::Excluded(key.clone()),
                    _ => break,
                }
            }
        }
        for name in view.streams()? {
            writer.write(b"S")?;
            write_name(&mut writer, &name)?;
            records += 1;
            summary.streams += 1;
            let mut from = 1;
            loop {
                let page = view.read_stream(&name, from, PAGE)?;
                for (seq, value) in &page {
                    writer.write(b"A")?;
                    writer.write(&seq.to_be_bytes())?;
                    write_bytes(&mut writer, value)?;
                }
                records += page.len() as u64;
                summary.stream_entries += page.len() as u64;
                match page.last() {
                    Some((seq, _)) if page.len() == PAGE => from = seq.saturating_add(1),
                    _ => break,
                }
            }
        }
        Ok(())
    })?;
    writer.write(b"Z")?;
    writer.write(&records.to_be_bytes())?;
    let digest = writer.hasher.finalize_reset();
    writer.inner.write_all(&digest)?;
    writer.inner.write_all(END_MAGIC)?;
    writer.inner.flush()?;
    summary.bytes = writer.written + TRAILER_LEN;
    Ok(summary)
}

/// Backs up into the file `path`, durably: written to a temporary file beside it, synced, then
/// renamed into place, so a crash never leaves a half-written file under the final name.
pub fn backup_to_file(backend: &dyn Backend, path: &Path) -> Result<BackupSummary> {
    let mut tmp_name = path.as_os_str().to_owned();
    tmp_name.push(".partial");
    let tmp = Path::new(&tmp_name);
    let file = File::create(tmp)?;
    let mut out = BufWriter::new(file);
    let summary = match backup(backend, &mut out) {
        Ok(s) => s,
        Err(e) => {
            drop(out);
            let _ = std::fs::remove_file(tmp);
            return Err(e);
        }
    };
    let file = out
        .into_inner()
        .map_err(|e| StoreError::Io(e.into_error()))?;
    file.sync_all()?;
    drop(file);
    std::fs::rename(tmp, path)?;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        // Make the rename itself durable.
        File::open(dir)?.sync_all()?;
    }
    Ok(summary)
}

/// Checks a backup's digest and structure without restoring it.
pub fn verify<R: Read + Seek>(input: &mut R) -> Result<BackupSummary> {
    let body_len = check_digest(input)?;
    input.seek(SeekFrom::Start(0))?;
    let mut reader = Parser::new(input, body_len)?;
    let mut summary = reader.summary();
    while let Some(record) = reader.next_record()? {
        count(&mut summary, &record);
    }
    summary.bytes = body_len + TRAILER_LEN;
    Ok(summary)
}

/// Restores a backup into `target`, which must hold no data (its own `_meta` stamp aside).
///
/// The file is verified completely first. A backup of a newer schema than this build supports is
/// refused with [`StoreError::SchemaTooNew`]; an older one is restored as is (the caller — see
/// [`crate::Store::restore_from_file`] — then runs the migrations). If restoring fails midway
/// (e.g. the disk fills), the target holds part of the backup: discard it and restore again.
pub fn restore<R: Read + Seek>(target: &dyn Backend, input: &mut R) -> Result<BackupSummary> {
    let body_len = check_digest(input)?;
    input.seek(SeekFrom::Start(0))?;
    let mut reader = Parser::new(input, body_len)?;
    let mut summary = reader.summary();
    if summary.schema_version > SCHEMA_VERSION {
        return Err(StoreError::SchemaTooNew {
            path: "backup".into(),
            found: summary.schema_version,
            supported: SCHEMA_VERSION,
        });
    }
    let foreign: Vec<String> = target
        .collections()?
        .into_iter()
        .filter(|c| c != META_COLLECTION)
        .collect();
    if !foreign.is_empty() || !target.streams()?.is_empty() {
        return Err(StoreError::Invalid {
            field: "restore target",
            reason: "a backup restores only into an empty store".into(),
        });
    }

    let mut current: Option<Target> = None;
    let mut pending: Vec<Entry> = Vec::new();
    let mut appends: Vec<(u64, Vec<u8>)> = Vec::new();
    while let Some(record) = reader.next_record()? {
        count(&mut summary, &record);
        match record {
            Record::Collection(name) => {
                flush_pending(target, &current, &mut pending, &mut appends)?;
                current = Some(Target::Collection(name));
            }
            Record::Stream(name) => {
                flush_pending(target, &current, &mut pending, &mut appends)?;
                current = Some(Target::Stream(name));
            }
            Record::Entry(key, v) => {
                if !matches!(current, Some(Target::Collection(_))) {
                    return Err(StoreError::Corrupt("entry outside a collection".into()));
                }
                pending.push((key, v));
                if pending.len() >= PAGE {
                    flush_pending(target, &current, &mut pending, &mut appends)?;
                }
            }
            Record::Append(seq, value) => {
                if !matches!(current, Some(Target::Stream(_))) {
                    return Err(StoreError::Corrupt("stream entry outside a stream".into()));
                }
                appends.push((seq, value));
                if appends.len() >= PAGE {
                    flush_pending(target, &current, &mut pending, &mut appends)?;
                }
            }
        }
    }
    flush_pending(target, &current, &mut pending, &mut appends)?;
    target.advance_ids(summary.id_watermark)?;
    target.flush()?;
    summary.bytes = body_len + TRAILER_LEN;
    Ok(summary)
}

/// Restores the backup file at `path` into `target` (see [`restore`]).
pub fn restore_from_file(target: &dyn Backend, path: &Path) -> Result<BackupSummary> {
    let mut input = BufReader::new(File::open(path)?);
    restore(target, &mut input)
}

enum Target {
    Collection(String),
    Stream(String),
}

enum Record {
    Collection(String),
    Stream(String),
    Entry(Vec<u8>, Versioned),
    Append(u64, Vec<u8>),
}

fn count(summary: &mut BackupSummary, record: &Record) {
    match record {
        Record::Collection(_) => summary.collections += 1,
        Record::Stream(_) => summary.streams += 1,
        Record::Entry(..) => summary.entries += 1,
        Record::Append(..) => summary.stream_entries += 1,
    }
}

fn flush_pending(
    target: &dyn Backend,
    current: &Option<Target>,
    pending: &mut Vec<Entry>,
    appends: &mut Vec<(u64, Vec<u8>)>,
) -> Result<()> {
    match current {
        Some(Target::Collection(name)) if !pending.is_empty() => {
            target.import(name, pending)?;
            pending.clear();
        }
        Some(Target::Stream(name)) if !appends.is_empty() => {
            let mut batch = Batch::new();
            for (_, value) in appends.iter() {
                batch.append(name, value.clone());
            }
            let receipt = target.commit(&batch)?;
            // Streams are append-only from 1, so replaying them in order must give back the same
            // sequence numbers; anything else means the backup is not what it claims.
            let expected: Vec<u64> = appends.iter().map(|(seq, _)| *seq).collect();
            if receipt.sequences != expected {
                return Err(StoreError::Corrupt(format!(
                    "stream {name}: sequence numbers in the backup are not contiguous from 1"
                )));
            }
            appends.clear();
        }
        _ => {}
    }
    Ok(())
}

/// Hashes bytes [0, len - trailer) and compares them with the trailer. Returns the body length.
fn check_digest<R: Read + Seek>(input: &mut R) -> Result<u64> {
    let len = input.seek(SeekFrom::End(0))?;
    if len < HEADER_LEN + 1 + 8 + TRAILER_LEN {
        return Err(StoreError::Corrupt(
            "backup file too short (truncated?)".into(),
        ));
    }
    let body_len = len - TRAILER_LEN;
    input.seek(SeekFrom::Start(body_len))?;
    let mut trailer = [0u8; TRAILER_LEN as usize];
    input.read_exact(&mut trailer)?;
    if &trailer[32..] != END_MAGIC {
        return Err(StoreError::Corrupt(
            "backup file has no end marker (truncated?)".into(),
        ));
    }
    input.seek(SeekFrom::Start(0))?;
    let mut hasher = Sha256::new();
    let copied = std::io::copy(&mut input.take(body_len), &mut HashSink(&mut hasher))?;
    if copied != body_len || hasher.finalize().as_slice() != &trailer[..32] {
        return Err(StoreError::Corrupt(
            "backup checksum mismatch: the file is damaged".into(),
        ));
    }
    Ok(body_len)
}

struct HashSink<'a>(&'a mut Sha256);

impl Write for HashSink<'_> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        self.0.update(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

struct HashingWriter<'a> {
    inner: &'a mut dyn Write,
    hasher: Sha256,
    written: u64,
}

impl HashingWriter<'_> {
    fn write(&mut self, bytes: &[u8]) -> Result<()> {
        self.inner.write_all(bytes)?;
        self.hasher.update(bytes);
        self.written += bytes.len() as u64;
        Ok(())
    }
}

fn write_name(w: &mut HashingWriter<'_>, name: &str) -> Result<()> {
    let len = u16::try_from(name.len()).map_err(|_| StoreError::Invalid {
        field: "name",
        reason: "longer than 65535 bytes".into(),
    })?;
    w.write(&len.to_be_bytes())?;
    w.write(name.as_bytes())
}

fn write_bytes(w: &mut HashingWriter<'_>, bytes: &[u8]) -> Result<()> {
    let len = u32::try_from(bytes.len()).map_err(|_| StoreError::Invalid {
        field: "value",
        reason: "longer than 4 GiB".into(),
    })?;
    w.write(&len.to_be_bytes())?;
    w.write(bytes)
}

/// Reads records from a file whose digest was checked. Lengths are still bounded by what is left
/// of the body, so even a forged file with a valid digest cannot make us allocate wildly or panic.
struct Parser<'a, R: Read> {
    input: BufReader<std::io::Take<&'a mut R>>,
    left: u64,
    header: BackupSummary,
    records: u64,
    done: bool,
}

impl<'a, R: Read> Parser<'a, R> {
    fn new(input: &'a mut R, body_len: u64) -> Result<Self> {
        let mut parser = Self {
            input: BufReader::new(input.take(body_len)),
            left: body_len,
            header: BackupSummary::default(),
            records: 0,
            done: false,
        };
        let magic: [u8; 8] = parser.array()?;
        if &magic != MAGIC {
            return Err(StoreError::Corrupt("not an unchain backup".into()));
        }
        let format = u32::from_be_bytes(parser.array()?);
        if format != FORMAT_VERSION {
            return Err(StoreError::Corrupt(format!(
                "backup format {format} is not supported (this build reads {FORMAT_VERSION})"
            )));
        }
        parser.header.schema_version = u32::from_be_bytes(parser.array()?);
        parser.header.id_watermark = u64::from_be_bytes(parser.array()?);
        Ok(parser)
    }

    fn summary(&self) -> BackupSummary {
        self.header.clone()
    }

    fn array<const N: usize>(&mut self) -> Result<[u8; N]> {
        if self.left < N as u64 {
            return Err(StoreError::Corrupt("backup ends inside a record".into()));
        }
        let mut buf = [0u8; N];
        self.input.read_exact(&mut buf)?;
        self.left -= N as u64;
        Ok(buf)
    }

    fn vec(&mut self, len: u64) -> Result<Vec<u8>> {
        if len > self.left {
            return Err(StoreError::Corrupt(
                "record length runs past the end of the backup".into(),
            ));
        }
        let mut buf = vec![
            0u8;
            usize::try_from(len).map_err(|_| {
                StoreError::Corrupt("record too large for this platform".into())
            })?
        ];
        self.input.read_exact(&mut buf)?;
        self.left -= len;
        Ok(buf)
    }

    fn name(&mut self) -> Result<String> {
        let len = u16::from_be_bytes(self.array()?);
        let bytes = self.vec(u64::from(len))?;
        String::from_utf8(bytes).map_err(|_| StoreError::Corrupt("name is not UTF-8".into()))
    }

    fn bytes(&mut self) -> Result<Vec<u8>> {
        let len = u32::from_be_bytes(self.array()?);
        self.vec(u64::from(len))
    }

    fn next_record(&mut self) -> Result<Option<Record>> {
        if self.done {
            return Ok(None);
        }
        let [tag] = self.array::<1>()?;
        let record = match tag {
            b'C' => Record::Collection(self.name()?),
            b'S' => Record::Stream(self.name()?),
            b'E' => {
                let key = self.bytes()?;
                let version = u64::from_be_bytes(self.array()?);
                if version == 0 {
                    return Err(StoreError::Corrupt("entry with version 0".into()));
                }
                let value = self.bytes()?;
                Record::Entry(key, Versioned { version, value })
            }
            b'A' => {
                let seq = u64::from_be_bytes(self.array()?);
                Record::Append(seq, self.bytes()?)
            }
            b'Z' => {
                let count = u64::from_be_bytes(self.array()?);
                if count != self.records || self.left != 0 {
                    return Err(StoreError::Corrupt(
                        "backup record count or length does not match its end marker".into(),
                    ));
                }
                self.done = true;
                return Ok(None);
            }
            _ => return Err(StoreError::Corrupt("unknown record type in backup".into())),
        };
        self.records += 1;
        Ok(Some(record))
    }
}
