//! The change feed: what changed, for integrators' own front ends — the kind, id, time and
//! current version of each record a write touched, never its contents. It is read from the
//! audit chain (every write appends there in the same batch), so the feed cannot miss a change.
//!
//! It authorises no single operation: each entry is shown only when the actor's role may read
//! that kind of record (a campaign officer sees groups change, not cases). Reads and refusals
//! recorded in the chain are not changes and are skipped.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use crate::audit;
use crate::auth::{self, Operation};
use crate::error::Result;
use crate::unchain::Unchain;
use crate::users::Actor;

/// One change.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Change {
    /// Position in the feed (the audit sequence number); resume after it.
    pub seq: u64,
    /// The record kind (`case`, `group`, …).
    pub kind: String,
    /// The record id.
    pub id: String,
    /// When the change was made.
    pub at: DateTime<Utc>,
    /// The operation that made it (`case.update`, …).
    pub operation: String,
    /// The record's version now (`None` once the record is gone).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<u64>,
}

/// A page of the feed.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangePage {
    /// The changes, oldest first.
    pub changes: Vec<Change>,
    /// Where to continue (pass as `after` next time): the last audit sequence examined.
    pub next: u64,
}

/// The operation that lets a role read a kind of record.
pub fn read_operation(kind: &str) -> Operation {
    use Operation as O;
    match kind {
        "user" | "token" => O::UserManage,
        "group" | "training" | "campaign_action" => O::CampaignRead,
        "person" | "case" => O::CaseRead,
        "consent" => O::ConsentRead,
        "document" => O::DocumentManage,
        "source" => O::SourceRead,
        "intelligence_report" | "dissemination" => O::IntelRead,
        "suspect" => O::SuspectRead,
        "rescue" => O::RescueRead,
        "nrm_referral" => O::NrmRead,
        "facility" => O::FacilityRead,
        "needs_assessment" | "placement" | "transport" => O::PlacementRead,
        "followup" | "progress_assessment" => O::FollowupRead,
        "legal_record" | "claim" => O::LegalRead,
        _ => O::AuditRead,
    }
}

/// Operations that only read: their audit entries are not changes.
const READS: &[Operation] = &[
    Operation::IntelRead,
    Operation::SourceRead,
    Operation::SuspectRead,
    Operation::RescueRead,
    Operation::CaseRead,
    Operation::PersonIdentity,
    Operation::PersonExport,
    Operation::ConsentRead,
    Operation::NrmRead,
    Operation::FacilityRead,
    Operation::FacilityLocation,
    Operation::PlacementRead,
    Operation::FollowupRead,
    Operation::LegalRead,
    Operation::CampaignRead,
    Operation::NetworkRead,
    Operation::PolicePackage,
    Operation::ReportRead,
    Operation::ExportHtcds,
    Operation::AuditRead,
];

impl Unchain {
    /// Changes after audit sequence `after`, examining at most `scan` entries and returning at
    /// most `limit` changes the actor may see — more only when one bulk entry (an import batch)
    /// names more records than that, since a page never splits an entry.
    pub fn changes(
        &self,
        actor: &Actor,
        after: u64,
        limit: usize,
        scan: usize,
    ) -> Result<ChangePage> {
        let entries = audit::read(self.backend.as_ref(), after.saturating_add(1), scan.max(1))?;
        let mut next = after;
        let mut changes = Vec::new();
        for entry in entries {
            if changes.len() >= limit {
                break;
            }
            next = entry.seq;
            let op = Operation::ALL
                .iter()
                .find(|o| o.as_str() == entry.record.action);
            let Some(&op) = op else { continue };
            if READS.contains(&op) {
                continue;
            }
            // A bulk entry (an import batch) names many records: each is a change, all under
            // the entry's sequence number, and a page never splits an entry.
            for target in entry.record.targets() {
                let Some((kind, id)) = target.split_once(':') else {
                    continue;
                };
                if !auth::allowed(actor.role, read_operation(kind)) {
                    continue;
                }
                let collection = crate::KINDS
                    .iter()
                    .find(|(_, k)| *k == kind)
                    .map(|(c, _)| *c);
                let version = match (collection, id.parse::<uuid::Uuid>()) {
                    (Some(c), Ok(uuid)) => self.backend.get(c, uuid.as_bytes())?.map(|v| v.version),
                    _ => None,
                };
                changes.push(Change {
                    seq: entry.seq,
                    kind: kind.to_owned(),
                    id: id.to_owned(),
                    at: entry.record.at,
                    operation: entry.record.action.clone(),
                    version,
                });
            }
        }
        Ok(ChangePage { changes, next })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::campaign::CommunityGroup;
    use crate::testing;

    #[test]
    fn the_feed_shows_writes_each_role_may_read_and_no_contents() {
        let (core, _) = testing::core();
        let staff = testing::staff(&core);
        let group = CommunityGroup {
            name: "Secret name".into(),
            area: "Leeds".into(),
            members: 3,
            joined_on: testing::now().date_naive(),
        };
        let g = core.create_group(&staff[0], group).expect("group");
        let _ = core.cases(&staff[6], &Default::default());
        for actor in &staff {
            let page = core.changes(actor, 0, 100, 10_000).expect("feed");
            let text = serde_json::to_string(&page).expect("json");
            assert!(!text.contains("Secret name"));
            let sees_group = page
                .changes
                .iter()
                .any(|c| c.kind == "group" && c.id == g.id.to_string());
            assert_eq!(
                sees_group,
                auth::allowed(actor.role, Operation::CampaignRead),
                "{:?}",
                actor.role
            );
            let sees_users = page.changes.iter().any(|c| c.kind == "user");
            assert_eq!(sees_users, auth::allowed(actor.role, Operation::UserManage));
            assert!(page.changes.iter().all(|c| c.operation != "case.read"));
        }
        let all = core.changes(&staff[0], 0, 1000, 10_000).expect("feed");
        let last = all.changes.last().expect("some").seq;
        assert!(
            core.changes(&staff[0], last, 10, 10)
                .expect("feed")
                .changes
                .is_empty()
        );
    }

    /// Concurrent writers race for the audit chain's head; the loser retries, so every write
    /// lands (no spurious conflict), the chain verifies, and the feed lists each change once.
    #[test]
    fn concurrent_writers_all_land_and_the_feed_sees_each_once() {
        let (core, _) = testing::core();
        let staff = testing::staff(&core);
        let admin = staff[0].clone();
        let before = core.changes(&admin, 0, 100_000, 100_000).expect("feed");
        let threads: Vec<_> = (0..8)
            .map(|t| {
                let core = core.clone();
                let admin = admin.clone();
                std::thread::spawn(move || {
                    for i in 0..25 {
                        let group = CommunityGroup {
                            name: format!("Group {t}-{i}"),
                            area: "Leeds".into(),
                            members: 1,
                            joined_on: testing::now().date_naive(),
                        };
                        core.create_group(&admin, group)
                            .expect("no spurious conflict");
                    }
                })
            })
            .collect();
        for t in threads {
            t.join().expect("writer");
        }
        assert_eq!(core.groups(&admin).expect("groups").len(), 200);
        let v = core.verify_audit(&admin).expect("verify");
        assert!(v.first_bad.is_none(), "{v:?}");
        let after = core
            .changes(&admin, before.next, 100_000, 100_000)
            .expect("feed");
        let groups: std::collections::BTreeSet<_> = after
            .changes
            .iter()
            .filter(|c| c.kind == "group")
            .map(|c| c.id.clone())
            .collect();
        assert_eq!(groups.len(), 200);
        assert_eq!(
            after.changes.iter().filter(|c| c.kind == "group").count(),
            200
        );
    }
}
