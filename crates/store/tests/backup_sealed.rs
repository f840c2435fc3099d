//! Backups of a sealed store: values travel as ciphertext with the wrapped key collection, and the
//! restored store opens with the same master key (and only with it).

use std::sync::Arc;

use unchain_store::crypto::{KEYS_COLLECTION, context};
use unchain_store::{
    Backend, Batch, Expect, Keyring, MasterKey, Store, StoreConfig, StoreError, SubjectId,
};

#[test]
fn a_sealed_sled_store_restores_into_memory_and_opens_with_its_key() {
    let dir = tempfile::tempdir().expect("tempdir");
    let master = [9u8; 32];
    let store = Store::open(&StoreConfig::sled(dir.path().join("db"))).expect("open");
    let keyring =
        Keyring::open(store.backend().clone(), MasterKey::from_bytes(master)).expect("keyring");
    let person = SubjectId::from_bytes(*b"person-000000001");
    let ctx = context(&[b"people", b"p1"]);
    let plaintext = b"Jane Doe, born 1990-01-01";
    let sealed = keyring.seal(&person, &ctx, plaintext).expect("seal");
    let mut batch = Batch::new();
    batch.put("people", b"p1".to_vec(), sealed, Expect::Absent);
    store.backend().commit(&batch).expect("commit");

    let file = dir.path().join("backup.bin");
    store.backup_to_file(&file).expect("backup");
    let bytes = std::fs::read(&file).expect("read");
    assert!(
        !bytes.windows(plaintext.len()).any(|w| w == plaintext),
        "the backup holds the plain value"
    );

    let mut restored = Store::open(&StoreConfig::memory()).expect("memory");
    restored.restore_from_file(&file).expect("restore");
    let backend: Arc<dyn Backend> = restored.backend().clone();
    assert!(
        !backend
            .scan(KEYS_COLLECTION, &unchain_store::Scan::all())
            .expect("scan")
            .is_empty()
    );
    let reopened = Keyring::open(backend.clone(), MasterKey::from_bytes(master)).expect("same key");
    let value = backend.get("people", b"p1").expect("get").expect("present");
    assert_eq!(
        &reopened.unseal(&ctx, &value.value).expect("unseal")[..],
        plaintext
    );

    // Another key is refused, never garbage.
    let wrong = Keyring::open(backend, MasterKey::from_bytes([1u8; 32]));
    assert!(
        matches!(wrong, Err(StoreError::Key(_))),
        "{:?}",
        wrong.map(|_| ())
    );
}
