//! Who may do what: roles, operations and the permission matrix, kept as data so that the matrix
//! in `docs/SECURITY.md`, the core's checks and the front ends' role × endpoint tests all read the
//! same table.

use serde::{Deserialize, Serialize};

/// A staff role. A user has exactly one.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Runs the system: users, backups, restores, audit. Sees everything.
    Admin,
    /// Leads the teams: sees cases and reports, approves closures and police packages.
    Manager,
    /// Investigate & Rescue: intelligence, grading, suspects, rescues, police dissemination.
    Investigator,
    /// Assist Aftercare: needs, facilities, placements, transport, follow-ups, progress.
    AftercareCoordinator,
    /// Perpetrator Accountability: NRM, police reports, prosecutions, civil claims, advice.
    LegalAdvocate,
    /// Campaign: community groups, trainings, campaign actions.
    CampaignOfficer,
    /// Aggregate and pseudonymised views only: reports, the network picture without identities.
    Analyst,
}

impl Role {
    /// Every role, in a stable order.
    pub const ALL: [Role; 7] = [
        Role::Admin,
        Role::Manager,
        Role::Investigator,
        Role::AftercareCoordinator,
        Role::LegalAdvocate,
        Role::CampaignOfficer,
        Role::Analyst,
    ];

    /// The stable name used in JSON, the CLI and the API.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Admin => "admin",
            Role::Manager => "manager",
            Role::Investigator => "investigator",
            Role::AftercareCoordinator => "aftercare_coordinator",
            Role::LegalAdvocate => "legal_advocate",
            Role::CampaignOfficer => "campaign_officer",
            Role::Analyst => "analyst",
        }
    }
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

impl std::str::FromStr for Role {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Role::ALL
            .into_iter()
            .find(|r| r.as_str() == s.trim().replace('-', "_"))
            .ok_or_else(|| {
                let names: Vec<_> = Role::ALL.iter().map(|r| r.as_str()).collect();
                format!("unknown role {s:?}: expected one of {}", names.join(", "))
            })
    }
}

macro_rules! operations {
    ($($(#[doc = $doc:literal])* $variant:ident => $name:literal,)*) => {
        /// Everything the core lets a user do. Each public core method checks exactly one.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        pub enum Operation {
            $($(#[doc = $doc])* #[serde(rename = $name)] $variant,)*
        }

        impl Operation {
            /// Every operation, in a stable order.
            pub const ALL: &'static [Operation] = &[$(Operation::$variant,)*];

            /// The stable dotted name (`intel.create`, …) used in audit entries and docs.
            pub fn as_str(self) -> &'static str {
                match self { $(Operation::$variant => $name,)* }
            }
        }
    };
}

operations! {
    /// Record an intelligence report.
    IntelCreate => "intel.create",
    /// Read intelligence reports (narratives and identifiers included).
    IntelRead => "intel.read",
    /// Grade a report (3x5x2).
    IntelGrade => "intel.grade",
    /// Record a dissemination of a report to a police force.
    IntelDisseminate => "intel.disseminate",
    /// Register or change intelligence sources and community groups.
    SourceManage => "source.manage",
    /// Read sources and groups.
    SourceRead => "source.read",
    /// Record or change suspects and persons of interest.
    SuspectManage => "suspect.manage",
    /// Read suspects.
    SuspectRead => "suspect.read",
    /// Plan and record rescue operations.
    RescueManage => "rescue.manage",
    /// Read rescues.
    RescueRead => "rescue.read",
    /// Open a case.
    CaseCreate => "case.create",
    /// Read cases (identity shown only with `person.identity`).
    CaseRead => "case.read",
    /// Move a case along its stage line.
    CaseUpdate => "case.update",
    /// Close, or reopen, a case.
    CaseClose => "case.close",
    /// See a person's identity (names, date of birth, contacts) instead of a pseudonym.
    PersonIdentity => "person.identity",
    /// Change a person's details.
    PersonUpdate => "person.update",
    /// Erase a person (crypto-shred) on request.
    PersonErase => "person.erase",
    /// Export everything held about one person (subject access).
    PersonExport => "person.export",
    /// Attach or read case documents.
    DocumentManage => "document.manage",
    /// Record consent given or withdrawn.
    ConsentRecord => "consent.record",
    /// Read consent records.
    ConsentRead => "consent.read",
    /// Make NRM referrals and Duty to Notify reports; record decisions.
    NrmManage => "nrm.manage",
    /// Read NRM referrals, deadlines and overdue lists.
    NrmRead => "nrm.read",
    /// Register and change facilities, open or close them to referrals.
    FacilityManage => "facility.manage",
    /// Read facilities (region and services).
    FacilityRead => "facility.read",
    /// See a facility's exact location and address (safe houses).
    FacilityLocation => "facility.location",
    /// Assess needs, match, place, move and exit; arrange transport.
    PlacementManage => "placement.manage",
    /// Read placements and transport.
    PlacementRead => "placement.read",
    /// Schedule and log follow-ups; record progress assessments.
    FollowupManage => "followup.manage",
    /// Read follow-ups and progress.
    FollowupRead => "followup.read",
    /// Record advocacy, advice, police reports, prosecutions and civil claims.
    LegalManage => "legal.manage",
    /// Read the justice record.
    LegalRead => "legal.read",
    /// Manage groups, trainings and campaign actions.
    CampaignManage => "campaign.manage",
    /// Read campaign records.
    CampaignRead => "campaign.read",
    /// See the organised-crime picture (clusters).
    NetworkRead => "network.read",
    /// Export a police package.
    PolicePackage => "network.police_package",
    /// Read aggregate reports.
    ReportRead => "report.read",
    /// Import records from files.
    ImportRun => "import.run",
    /// Export de-identified HTCDS data.
    ExportHtcds => "export.htcds",
    /// Take a full backup or restore one.
    Backup => "backup",
    /// Create users, change roles, issue and revoke tokens.
    UserManage => "user.manage",
    /// Read and verify the audit chain.
    AuditRead => "audit.read",
}

use Operation as O;
use Role as R;

/// The permission matrix: for each operation, the roles allowed to perform it. Admin is in every
/// row; the analyst only in aggregate and pseudonymised reads.
pub const MATRIX: &[(Operation, &[Role])] = &[
    (
        O::IntelCreate,
        &[R::Admin, R::Manager, R::Investigator, R::CampaignOfficer],
    ),
    (O::IntelRead, &[R::Admin, R::Manager, R::Investigator]),
    (O::IntelGrade, &[R::Admin, R::Manager, R::Investigator]),
    (
        O::IntelDisseminate,
        &[R::Admin, R::Manager, R::Investigator],
    ),
    (
        O::SourceManage,
        &[R::Admin, R::Manager, R::Investigator, R::CampaignOfficer],
    ),
    (
        O::SourceRead,
        &[
            R::Admin,
            R::Manager,
            R::Investigator,
            R::CampaignOfficer,
            R::Analyst,
        ],
    ),
    (O::SuspectManage, &[R::Admin, R::Manager, R::Investigator]),
    (
        O::SuspectRead,
        &[R::Admin, R::Manager, R::Investigator, R::LegalAdvocate],
    ),
    (O::RescueManage, &[R::Admin, R::Manager, R::Investigator]),
    (
        O::RescueRead,
        &[
            R::Admin,
            R::Manager,
            R::Investigator,
            R::AftercareCoordinator,
            R::LegalAdvocate,
            R::Analyst,
        ],
    ),
    (
        O::CaseCreate,
        &[
            R::Admin,
            R::Manager,
            R::Investigator,
            R::AftercareCoordinator,
        ],
    ),
    (
        O::CaseRead,
        &[
            R::Admin,
            R::Manager,
            R::Investigator,
            R::AftercareCoordinator,
            R::LegalAdvocate,
            R::Analyst,
        ],
    ),
    (
        O::CaseUpdate,
        &[
            R::Admin,
            R::Manager,
            R::Investigator,
            R::AftercareCoordinator,
            R::LegalAdvocate,
        ],
    ),
    (O::CaseClose, &[R::Admin, R::Manager]),
    (
        O::PersonIdentity,
        &[
            R::Admin,
            R::Manager,
            R::Investigator,
            R::AftercareCoordinator,
            R::LegalAdvocate,
        ],
    ),
    (
        O::PersonUpdate,
        &[
            R::Admin,
            R::Manager,
            R::Investigator,
            R::AftercareCoordinator,
            R::LegalAdvocate,
        ],
    ),
    (O::PersonErase, &[R::Admin, R::Manager]),
    (O::PersonExport, &[R::Admin, R::Manager]),
    (
        O::DocumentManage,
        &[
            R::Admin,
            R::Manager,
            R::Investigator,
            R::AftercareCoordinator,
            R::LegalAdvocate,
        ],
    ),
    (
        O::ConsentRecord,
        &[
            R::Admin,
            R::Manager,
            R::Investigator,
            R::AftercareCoordinator,
            R::LegalAdvocate,
        ],
    ),
    (
        O::ConsentRead,
        &[
            R::Admin,
            R::Manager,
            R::Investigator,
            R::AftercareCoordinator,
            R::LegalAdvocate,
        ],
    ),
    (O::NrmManage, &[R::Admin, R::Manager, R::LegalAdvocate]),
    (
        O::NrmRead,
        &[
            R::Admin,
            R::Manager,
            R::AftercareCoordinator,
            R::LegalAdvocate,
            R::Analyst,
        ],
    ),
    (
        O::FacilityManage,
        &[R::Admin, R::Manager, R::AftercareCoordinator],
    ),
    (
        O::FacilityRead,
        &[R::Admin, R::Manager, R::AftercareCoordinator, R::Analyst],
    ),
    (
        O::FacilityLocation,
        &[R::Admin, R::Manager, R::AftercareCoordinator],
    ),
    (
        O::PlacementManage,
        &[R::Admin, R::Manager, R::AftercareCoordinator],
    ),
    (
        O::PlacementRead,
        &[
            R::Admin,
            R::Manager,
            R::AftercareCoordinator,
            R::LegalAdvocate,
            R::Analyst,
        ],
    ),
    (
        O::FollowupManage,
        &[R::Admin, R::Manager, R::AftercareCoordinator],
    ),
    (
        O::FollowupRead,
        &[
            R::Admin,
            R::Manager,
            R::AftercareCoordinator,
            R::LegalAdvocate,
            R::Analyst,
        ],
    ),
    (O::LegalManage, &[R::Admin, R::Manager, R::LegalAdvocate]),
    (
        O::LegalRead,
        &[
            R::Admin,
            R::Manager,
            R::LegalAdvocate,
            R::Investigator,
            R::Analyst,
        ],
    ),
    (
        O::CampaignManage,
        &[R::Admin, R::Manager, R::CampaignOfficer],
    ),
    (
        O::CampaignRead,
        &[
            R::Admin,
            R::Manager,
            R::CampaignOfficer,
            R::Investigator,
            R::Analyst,
        ],
    ),
    (
        O::NetworkRead,
        &[R::Admin, R::Manager, R::Investigator, R::Analyst],
    ),
    (O::PolicePackage, &[R::Admin, R::Manager, R::Investigator]),
    (
        O::ReportRead,
        &[
            R::Admin,
            R::Manager,
            R::Investigator,
            R::AftercareCoordinator,
            R::LegalAdvocate,
            R::CampaignOfficer,
            R::Analyst,
        ],
    ),
    (O::ImportRun, &[R::Admin, R::Manager]),
    (O::ExportHtcds, &[R::Admin, R::Manager, R::Analyst]),
    (O::Backup, &[R::Admin]),
    (O::UserManage, &[R::Admin]),
    (O::AuditRead, &[R::Admin, R::Manager]),
];

/// Whether `role` may perform `operation`, read from [`MATRIX`]. An operation missing from the
/// matrix is allowed to nobody (a test keeps the matrix complete).
pub fn allowed(role: Role, operation: Operation) -> bool {
    MATRIX
        .iter()
        .find(|(op, _)| *op == operation)
        .is_some_and(|(_, roles)| roles.contains(&role))
}

/// The matrix as a Markdown table (operations × roles), as printed in `docs/SECURITY.md`.
pub fn matrix_markdown() -> String {
    let mut out = String::from("| operation |");
    for role in Role::ALL {
        out.push_str(&format!(" {} |", role.as_str()));
    }
    out.push_str("\n| --- |");
    out.push_str(&" :-: |".repeat(Role::ALL.len()));
    out.push('\n');
    for op in Operation::ALL {
        out.push_str(&format!("| `{}` |", op.as_str()));
        for role in Role::ALL {
            out.push_str(if allowed(role, *op) { " ✓ |" } else { "   |" });
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn security_doc_prints_the_matrix_the_code_enforces() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/SECURITY.md");
        let doc = std::fs::read_to_string(path).expect("docs/SECURITY.md exists");
        assert!(
            doc.contains(&matrix_markdown()),
            "docs/SECURITY.md must contain the permission matrix exactly as auth::matrix_markdown() prints it:\n{}",
            matrix_markdown()
        );
    }

    #[test]
    fn matrix_names_every_operation_once_and_admin_everywhere() {
        for op in Operation::ALL {
            let rows: Vec<_> = MATRIX.iter().filter(|(o, _)| o == op).collect();
            assert_eq!(rows.len(), 1, "{} must have exactly one row", op.as_str());
            assert!(
                rows[0].1.contains(&Role::Admin),
                "admin may do {}",
                op.as_str()
            );
        }
        assert_eq!(MATRIX.len(), Operation::ALL.len());
    }

    #[test]
    fn analyst_never_sees_identities_or_locations() {
        for op in [
            Operation::PersonIdentity,
            Operation::FacilityLocation,
            Operation::IntelRead,
            Operation::PersonExport,
            Operation::PolicePackage,
        ] {
            assert!(
                !allowed(Role::Analyst, op),
                "analyst must not {}",
                op.as_str()
            );
        }
    }

    #[test]
    fn names_round_trip() {
        for role in Role::ALL {
            assert_eq!(role.as_str().parse::<Role>(), Ok(role));
        }
        assert!("superuser".parse::<Role>().is_err());
        for op in Operation::ALL {
            let json = serde_json::to_string(op).expect("serialises");
            assert_eq!(json, format!("\"{}\"", op.as_str()));
        }
    }

    proptest! {
        // `allowed` is exactly the matrix, for any role and operation.
        #[test]
        fn allowed_is_the_matrix(r in 0usize..Role::ALL.len(), o in 0usize..Operation::ALL.len()) {
            let (role, op) = (Role::ALL[r], Operation::ALL[o]);
            let row = MATRIX.iter().find(|(x, _)| *x == op).map(|(_, roles)| *roles).unwrap_or(&[]);
            prop_assert_eq!(allowed(role, op), row.contains(&role));
        }
    }
}
