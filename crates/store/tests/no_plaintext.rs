//! The raw-file scan: personal values sealed through the keyring into a sled store must not
//! appear anywhere in the store's files — not as UTF-8, not as UTF-16 — and neither may the
//! master key, which lives elsewhere (a key file in another directory).

use std::path::Path;
use std::sync::Arc;

use base64::Engine as _;
use unchain_store::crypto::{Keyring, MasterKey, SubjectId, context};
use unchain_store::{Backend, Batch, Expect, SledBackend, SledConfig};

/// Realistic personal data: names, addresses, phone numbers, free text with non-ASCII letters.
const PERSONAL: &[(&str, &str)] = &[
    ("name", "Olena Kovalenko-Marchetti"),
    ("name", "Nguyễn Thị Hương"),
    ("address", "Flat 3, 41 Wellington Crescent, Leeds LS6 2QZ"),
    (
        "safe_house",
        "The Old Vicarage, Church Lane, Little Snoring NR21 0AB",
    ),
    ("phone", "+44 7700 900461"),
    ("passport", "PL-AZ7730512"),
    (
        "note",
        "Disclosed exploitation at the car wash on Kirkstall Road; fears reprisal.",
    ),
];

fn all_files(dir: &Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(path) = stack.pop() {
        if path.is_dir() {
            for entry in std::fs::read_dir(&path).unwrap() {
                stack.push(entry.unwrap().path());
            }
        } else {
            bytes.extend(std::fs::read(&path).unwrap());
            bytes.push(0);
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

fn utf16(text: &str, big_endian: bool) -> Vec<u8> {
    text.encode_utf16()
        .flat_map(|u| {
            if big_endian {
                u.to_be_bytes()
            } else {
                u.to_le_bytes()
            }
        })
        .collect()
}

/// Every form a value could leak in: UTF-8, UTF-16 both ways, and a distinctive fragment (so a
/// value split across pages would still be caught in part).
fn forms(text: &str) -> Vec<Vec<u8>> {
    let fragment: String = text.chars().take(12).collect();
    vec![
        text.as_bytes().to_vec(),
        utf16(text, false),
        utf16(text, true),
        fragment.as_bytes().to_vec(),
    ]
}

fn write_store(dir: &Path, keyring: Option<&Keyring>, backend: &Arc<dyn Backend>) -> Vec<Vec<u8>> {
    let mut keys = Vec::new();
    let mut batch = Batch::new();
    for (i, (field, value)) in PERSONAL.iter().enumerate() {
        let subject = SubjectId::from_bytes([i as u8 + 1; 16]);
        let key = [subject.as_bytes().as_slice(), field.as_bytes()].concat();
        let stored = match keyring {
            Some(k) => k
                .seal(&subject, &context(&[b"persons", &key]), value.as_bytes())
                .unwrap(),
            None => value.as_bytes().to_vec(),
        };
        batch.put("persons", key.clone(), stored, Expect::Absent);
        keys.push(key);
    }
    backend.commit(&batch).unwrap();
    backend.flush().unwrap();
    assert!(dir.exists());
    keys
}

#[test]
fn sealed_personal_values_and_the_master_key_never_reach_the_store_files() {
    let root = tempfile::tempdir().unwrap();
    let store_dir = root.path().join("store");
    let key_dir = root.path().join("secrets");
    std::fs::create_dir(&key_dir).unwrap();
    let key_file = key_dir.join("unchain.key");
    let master = MasterKey::create_key_file(&key_file).unwrap();
    let key_text = std::fs::read_to_string(&key_file).unwrap();
    let key_text = key_text.trim();
    let mut key_bytes = [0u8; 32];
    hex::decode_to_slice(key_text, &mut key_bytes).unwrap();

    let keys = {
        let backend: Arc<dyn Backend> =
            Arc::new(SledBackend::open(&SledConfig::new(&store_dir)).unwrap());
        let keyring = Keyring::open(backend.clone(), master).unwrap();
        let keys = write_store(&store_dir, Some(&keyring), &backend);
        // Erase one subject too: its tombstone must not leak anything either.
        keyring
            .forget_subject(&SubjectId::from_bytes([1; 16]))
            .unwrap();
        backend.flush().unwrap();
        keys
    }; // keyring and backend dropped: sled closes its files.

    let raw = all_files(&store_dir);
    assert!(
        raw.len() > 1000,
        "the store wrote almost nothing: {} bytes",
        raw.len()
    );
    for (field, value) in PERSONAL {
        for form in forms(value) {
            assert!(
                !contains(&raw, &form),
                "{field} found in plain text in the store files"
            );
        }
    }
    let b64 = base64::engine::general_purpose::STANDARD.encode(key_bytes);
    for form in [
        key_bytes.to_vec(),
        key_text.as_bytes().to_vec(),
        b64.into_bytes(),
    ] {
        assert!(
            !contains(&raw, &form),
            "the master key was found in the store files"
        );
    }

    // The values are intact, not merely absent: reopen with the key file and read them back.
    let backend: Arc<dyn Backend> =
        Arc::new(SledBackend::open(&SledConfig::new(&store_dir)).unwrap());
    let keyring = Keyring::open(
        backend.clone(),
        MasterKey::load_key_file(&key_file).unwrap(),
    )
    .unwrap();
    for (i, ((_, value), key)) in PERSONAL.iter().zip(&keys).enumerate() {
        let stored = backend.get("persons", key).unwrap().unwrap().value;
        let opened = keyring.unseal(&context(&[b"persons", key]), &stored);
        if i == 0 {
            assert!(matches!(
                opened,
                Err(unchain_store::StoreError::Forgotten(_))
            ));
        } else {
            assert_eq!(&opened.unwrap()[..], value.as_bytes());
        }
    }
}

/// The control: the same scan does find the values when they are stored unsealed, so the test
/// above cannot pass by looking in the wrong place.
#[test]
fn the_scan_finds_values_stored_in_plain_text() {
    let root = tempfile::tempdir().unwrap();
    let store_dir = root.path().join("store");
    {
        let backend: Arc<dyn Backend> =
            Arc::new(SledBackend::open(&SledConfig::new(&store_dir)).unwrap());
        write_store(&store_dir, None, &backend);
    }
    let raw = all_files(&store_dir);
    for (_, value) in PERSONAL {
        assert!(contains(&raw, value.as_bytes()));
    }
}
