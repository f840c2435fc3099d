//! Full backups of the store, and restores into a new data directory. The data stays sealed in
//! the backup file: restoring needs the master key the data was sealed with, kept apart from it.

use std::path::Path;
use std::sync::Arc;

use unchain_store::Store;
pub use unchain_store::backup::BackupSummary;

use crate::auth::Operation;
use crate::clock::SystemClock;
use crate::error::{CoreError, Result};
use crate::open::{Config, master_key};
use crate::unchain::Unchain;
use crate::users::Actor;

impl Unchain {
    /// Writes a consistent backup of the whole store to `path` while it stays in use
    /// (administrators only). The backup is audited before it is taken, so it holds its own
    /// record.
    pub fn backup_to_file(&self, actor: &Actor, path: &Path) -> Result<BackupSummary> {
        self.authorize(actor, Operation::Backup)?;
        self.audit_read(actor, Operation::Backup, &["store:backup".to_owned()])?;
        Ok(self.store.backup_to_file(path)?)
    }

    /// Restores the backup at `path` into `config`'s data directory, which must not hold a
    /// store yet; the master key comes from `config` as for [`Unchain::open`] and must be the
    /// one the backup was sealed with. On any failure the half-made store is removed, so the
    /// restore can simply be run again.
    pub fn restore(config: &Config, path: &Path) -> Result<(Unchain, BackupSummary)> {
        let store_path = config.store_path();
        if store_path.exists() {
            return Err(CoreError::Refused(format!(
                "there is already a store at {}; restore into a new data directory",
                store_path.display()
            )));
        }
        if !path.is_file() {
            return Err(CoreError::NotFound {
                kind: "backup",
                id: path.display().to_string(),
            });
        }
        let (master, _) = master_key(config, false)?;
        std::fs::create_dir_all(&config.data_dir).map_err(unchain_store::StoreError::Io)?;
        let attempt = move || -> Result<(Unchain, BackupSummary)> {
            let mut store = Store::open(&config.store_config())?;
            let summary = store.restore_from_file(path)?;
            let core = Self::over(store, Arc::new(SystemClock), master)?;
            core.backend.flush()?;
            Ok((core, summary))
        };
        attempt().inspect_err(|_| {
            let _ = std::fs::remove_dir_all(&store_path);
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::CoreError;
    use crate::auth::{Operation, Role};
    use crate::open::{Config, KEY_FILE, KeySource};
    use crate::unchain::Unchain;

    fn config(dir: &std::path::Path, key: &std::path::Path) -> Config {
        Config {
            key: Some(KeySource::File(key.to_path_buf())),
            ..Config::new(dir)
        }
    }

    #[test]
    fn a_backup_restores_into_a_new_directory_with_the_same_key_only() {
        let tmp = tempfile::tempdir().expect("temp dir");
        let old = tmp.path().join("old");
        let key = old.join(KEY_FILE);
        let (core, _) = Unchain::init(&config(&old, &key), "admin").expect("init");
        let admin = core.actor("admin").expect("admin");
        core.create_user(&admin, "inv", Role::Investigator)
            .expect("user");
        let inv = core.actor("inv").expect("inv");
        let denied = core
            .backup_to_file(&inv, &tmp.path().join("no.bak"))
            .expect_err("investigators may not back up");
        assert!(matches!(denied, CoreError::Forbidden { .. }), "{denied:?}");
        let file = tmp.path().join("store.bak");
        let summary = core.backup_to_file(&admin, &file).expect("backup");
        assert!(summary.entries > 0);
        drop(core);

        // Into an existing store: refused, nothing touched.
        let again = Unchain::restore(&config(&old, &key), &file).expect_err("exists");
        assert!(matches!(again, CoreError::Refused(_)), "{again:?}");

        // With another key: refused, and no half-made store left behind.
        let other_key = tmp.path().join("other.key");
        unchain_store::MasterKey::create_key_file(&other_key).expect("key");
        let wrong = tmp.path().join("wrong");
        assert!(Unchain::restore(&config(&wrong, &other_key), &file).is_err());
        assert!(!wrong.join(crate::open::STORE_DIR).exists());

        let new = tmp.path().join("new");
        let (restored, _) = Unchain::restore(&config(&new, &key), &file).expect("restore");
        let admin = restored.actor("admin").expect("admin survives");
        assert_eq!(
            restored.actor("inv").expect("inv survives").role,
            Role::Investigator
        );
        let v = restored.verify_audit(&admin).expect("verify");
        assert!(v.first_bad.is_none(), "{v:?}");
        assert!(
            restored
                .audit_entries(&admin, 0, 1000)
                .expect("entries")
                .iter()
                .any(|e| e.record.action == Operation::Backup.as_str()),
            "the backup recorded itself"
        );
    }
}
