//! The network service: clusters over the stored reports, suspects and cases, and police
//! packages. Identifiers are unsealed in memory to be matched; only actors who may see
//! identities (`person.identity`) get their values back, and that read is audited per member.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::cluster::{Cluster, ClusterOptions, ClusterRow, MemberKind, MemberRef, cluster};
use super::normalise::{self, Identifier, IdentifierKind, MatchKind};
use crate::auth::{self, Operation};
use crate::cases::Case;
use crate::consent::ConsentScope;
use crate::error::{CoreError, Result};
use crate::grading::{Grading, HandlingCode};
use crate::intel::{self, IntelligenceReport};
use crate::records::{self, Entity, Record};
use crate::suspects::Suspect;
use crate::unchain::Unchain;
use crate::users::Actor;

/// An identifier shared in a cluster as shown: its value only to those who may see identities.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SharedView {
    /// What it is.
    pub kind: IdentifierKind,
    /// Exact or fuzzy.
    pub match_kind: MatchKind,
    /// How many members carry it.
    pub members: u32,
    /// The normalised value; `None` for actors who may not see identities.
    pub value: Option<String>,
}

impl std::fmt::Debug for SharedView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SharedView")
            .field("kind", &self.kind)
            .field("match_kind", &self.match_kind)
            .field("members", &self.members)
            .field("value", &self.value.as_ref().map(|_| "<redacted>"))
            .finish()
    }
}

/// A cluster as an actor sees it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ClusterView {
    /// Members (record ids, which name no one).
    pub members: Vec<MemberRef>,
    /// Intelligence reports among them.
    pub reports: usize,
    /// Cases among them.
    pub cases: usize,
    /// Suspects among them.
    pub suspects: usize,
    /// The identifiers that tie it together.
    pub shared: Vec<SharedView>,
    /// Areas named.
    pub places: Vec<String>,
    /// Earliest date.
    pub first_date: Option<NaiveDate>,
    /// Latest date.
    pub last_date: Option<NaiveDate>,
    /// Indicators with the number of members recording each.
    pub indicators: Vec<super::cluster::IndicatorCount>,
    /// The best grading present, as police write it (`1/A/P`).
    pub best_grading: Option<String>,
    /// Whether identifier values are shown.
    pub identities_shown: bool,
}

/// Maps an intelligence identifier to the normalised ones it yields (an address also yields
/// the postcode written in it). Values that do not normalise are left out of matching.
pub(crate) fn from_intel(ids: &[intel::Identifier]) -> Vec<Identifier> {
    let mut out = Vec::new();
    for id in ids {
        let kind = match id.kind {
            intel::IdentifierKind::Name => IdentifierKind::Name,
            intel::IdentifierKind::Phone => IdentifierKind::Phone,
            intel::IdentifierKind::Email => IdentifierKind::Email,
            intel::IdentifierKind::Address => IdentifierKind::Address,
            intel::IdentifierKind::Vehicle => IdentifierKind::VehiclePlate,
            intel::IdentifierKind::Business => IdentifierKind::Business,
            intel::IdentifierKind::OnlineHandle => IdentifierKind::Handle,
        };
        if kind == IdentifierKind::Address {
            if let Some(p) = normalise::postcode_in(&id.value) {
                out.push(Identifier {
                    kind: IdentifierKind::Postcode,
                    value: p,
                });
            }
        }
        if let Ok(n) = Identifier::parse(kind, &id.value) {
            out.push(n);
        }
    }
    out.sort();
    out.dedup();
    out
}

fn member(kind: MemberKind, id: Uuid) -> MemberRef {
    MemberRef { kind, id }
}

impl Unchain {
    /// The rows clustering works on: every report and suspect with its unsealed identifiers,
    /// and every case with its explicit links (victims' own contact details are not matched).
    pub(crate) fn cluster_rows(&self) -> Result<Vec<ClusterRow>> {
        let backend = self.backend.as_ref();
        let mut rows = Vec::new();
        for r in records::all::<IntelligenceReport>(backend)? {
            let ids: Vec<intel::Identifier> = match &r.data.identifiers {
                Some(sealed) => self
                    .unseal(sealed, IntelligenceReport::KIND, r.id, "identifiers")?
                    .unwrap_or_default(),
                None => Vec::new(),
            };
            let mut links: Vec<MemberRef> = r
                .data
                .case_ids
                .iter()
                .map(|c| member(MemberKind::Case, *c))
                .collect();
            links.extend(
                r.data
                    .suspect_ids
                    .iter()
                    .map(|s| member(MemberKind::Suspect, *s)),
            );
            rows.push(ClusterRow {
                member: member(MemberKind::Report, r.id),
                identifiers: from_intel(&ids),
                places: r.data.area.iter().cloned().collect(),
                date: Some(r.data.received_on),
                indicators: r.data.indicators.clone(),
                grading: r.data.grading().map(|g| g.grading.clone()),
                links,
            });
        }
        for s in records::all::<Suspect>(backend)? {
            let ids: Vec<intel::Identifier> = match &s.data.identifiers {
                Some(sealed) => self
                    .unseal(sealed, Suspect::KIND, s.id, "identifiers")?
                    .unwrap_or_default(),
                None => Vec::new(),
            };
            let mut links: Vec<MemberRef> = s
                .data
                .report_ids
                .iter()
                .map(|r| member(MemberKind::Report, *r))
                .collect();
            links.extend(s.data.case_ids.iter().map(|c| member(MemberKind::Case, *c)));
            rows.push(ClusterRow {
                member: member(MemberKind::Suspect, s.id),
                identifiers: from_intel(&ids),
                places: Vec::new(),
                date: Some(s.data.recorded_at.date_naive()),
                indicators: Vec::new(),
                grading: None,
                links,
            });
        }
        for c in records::all::<Case>(backend)? {
            let mut links: Vec<MemberRef> = c
                .data
                .report_ids
                .iter()
                .map(|r| member(MemberKind::Report, *r))
                .collect();
            links.extend(
                c.data
                    .suspect_ids
                    .iter()
                    .map(|s| member(MemberKind::Suspect, *s)),
            );
            rows.push(ClusterRow {
                member: member(MemberKind::Case, c.id),
                identifiers: Vec::new(),
                places: Vec::new(),
                date: c.data.opened_on(),
                indicators: Vec::new(),
                grading: None,
                links,
            });
        }
        Ok(rows)
    }

    /// The organised-crime picture: reports, cases and suspects that share a normalised
    /// identifier or are linked, transitively, largest cluster first. Identifier values are
    /// shown only to actors who may see identities, and that read is audited per member;
    /// analysts see the kinds and counts.
    pub fn network_clusters(
        &self,
        actor: &Actor,
        options: &ClusterOptions,
    ) -> Result<Vec<ClusterView>> {
        self.authorize(actor, Operation::NetworkRead)?;
        let clusters = cluster(&self.cluster_rows()?, options);
        let identities = auth::allowed(actor.role, Operation::PersonIdentity);
        let targets: Vec<String> = if identities {
            clusters
                .iter()
                .flat_map(|c| c.members.iter())
                .filter(|m| m.kind != MemberKind::Case)
                .map(|m| match m.kind {
                    MemberKind::Suspect => records::target::<Suspect>(m.id),
                    _ => records::target::<IntelligenceReport>(m.id),
                })
                .collect()
        } else {
            vec![format!("network:{} clusters", clusters.len())]
        };
        if !targets.is_empty() {
            self.audit_read(actor, Operation::NetworkRead, &targets)?;
        }
        Ok(clusters.iter().map(|c| view(c, identities)).collect())
    }
}

fn view(c: &Cluster, identities: bool) -> ClusterView {
    ClusterView {
        members: c.members.clone(),
        reports: c.count(MemberKind::Report),
        cases: c.count(MemberKind::Case),
        suspects: c.count(MemberKind::Suspect),
        shared: c
            .shared
            .iter()
            .map(|s| SharedView {
                kind: s.identifier.kind,
                match_kind: s.match_kind,
                members: s.members,
                value: identities.then(|| s.identifier.value.clone()),
            })
            .collect(),
        places: c.places.clone(),
        first_date: c.first_date,
        last_date: c.last_date,
        indicators: c.indicators.clone(),
        best_grading: c.best_grading.as_ref().map(Grading::code),
        identities_shown: identities,
    }
}

// ---- police package ------------------------------------------------------------------------

/// What a police package covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "scope", content = "id", rename_all = "snake_case")]
pub enum PackageScope {
    /// One intelligence report.
    Report(Uuid),
    /// The cluster holding this member (a report, case or suspect id).
    Cluster(Uuid),
}

/// One report in a police package, with its grading and handling code.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PoliceItem {
    /// The report's id (the NGO's reference).
    pub report_id: Uuid,
    /// When it was received.
    pub received_on: NaiveDate,
    /// The area it concerns.
    pub area: Option<String>,
    /// The 3x5x2 (or permitted 5x5x5) grading as police write it (`2/B/C`).
    pub grading: String,
    /// The handling code (`P`, `C`, or the 5x5x5 code).
    pub handling_code: String,
    /// Handling conditions under code C.
    pub handling_conditions: Option<String>,
    /// Indicators recorded.
    pub indicators: Vec<String>,
    /// The identifiers as recorded.
    pub identifiers: Vec<intel::Identifier>,
    /// The narrative.
    pub narrative: String,
}

impl std::fmt::Debug for PoliceItem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PoliceItem")
            .field("report_id", &self.report_id)
            .field("grading", &self.grading)
            .field("narrative", &"<redacted>")
            .finish_non_exhaustive()
    }
}

/// A report left out of a package, and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Withheld {
    /// The report.
    pub report_id: Uuid,
    /// Why it may not be shared.
    pub reason: String,
}

/// What goes to police: the items that may be shared, and what was left out and why.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PolicePackage {
    /// The day it was made.
    pub made_on: NaiveDate,
    /// What it covers.
    pub scope: PackageScope,
    /// The reports included.
    pub items: Vec<PoliceItem>,
    /// The reports left out.
    pub withheld: Vec<Withheld>,
}

impl PolicePackage {
    /// The items as CSV (one line per item; lists joined with `; `), for forces' systems.
    pub fn to_csv(&self) -> Result<String> {
        let mut w = csv::Writer::from_writer(Vec::new());
        let err = |e: csv::Error| CoreError::Refused(format!("cannot write the CSV: {e}"));
        w.write_record([
            "report_id",
            "received_on",
            "area",
            "grading",
            "handling_code",
            "handling_conditions",
            "indicators",
            "identifiers",
            "narrative",
        ])
        .map_err(err)?;
        for i in &self.items {
            let ids = i
                .identifiers
                .iter()
                .map(|x| format!("{}: {}", kind_name(x.kind), x.value))
                .collect::<Vec<_>>()
                .join("; ");
            w.write_record([
                i.report_id.to_string(),
                i.received_on.to_string(),
                i.area.clone().unwrap_or_default(),
                i.grading.clone(),
                i.handling_code.clone(),
                i.handling_conditions.clone().unwrap_or_default(),
                i.indicators.join("; "),
                ids,
                i.narrative.clone(),
            ])
            .map_err(err)?;
        }
        let bytes = w
            .into_inner()
            .map_err(|e| CoreError::Refused(format!("cannot write the CSV: {e}")))?;
        String::from_utf8(bytes).map_err(|e| CoreError::Refused(e.to_string()))
    }
}

fn kind_name(kind: intel::IdentifierKind) -> &'static str {
    match kind {
        intel::IdentifierKind::Name => "name",
        intel::IdentifierKind::Phone => "phone",
        intel::IdentifierKind::Email => "email",
        intel::IdentifierKind::Address => "address",
        intel::IdentifierKind::Vehicle => "vehicle",
        intel::IdentifierKind::Business => "business",
        intel::IdentifierKind::OnlineHandle => "online_handle",
    }
}

impl Unchain {
    /// A package for police: every report in scope that may be shared today — graded, with a
    /// handling code that permits sharing (3x5x2 P, or C with its conditions; 5x5x5 codes 1–3),
    /// and with consent to share with police from every person of a linked case — and the
    /// others listed as withheld with the reason. The export is audited per report and person.
    pub fn police_package(&self, actor: &Actor, scope: PackageScope) -> Result<PolicePackage> {
        self.authorize(actor, Operation::PolicePackage)?;
        let backend = self.backend.as_ref();
        let today = self.clock.today();
        let report_ids: Vec<Uuid> = match scope {
            PackageScope::Report(id) => {
                records::load::<IntelligenceReport>(backend, id)?;
                vec![id]
            }
            PackageScope::Cluster(id) => {
                let clusters = cluster(&self.cluster_rows()?, &ClusterOptions::default());
                let found = clusters
                    .into_iter()
                    .find(|c| c.members.iter().any(|m| m.id == id))
                    .ok_or_else(|| CoreError::NotFound {
                        kind: "cluster",
                        id: id.to_string(),
                    })?;
                found
                    .members
                    .iter()
                    .filter(|m| m.kind == MemberKind::Report)
                    .map(|m| m.id)
                    .collect()
            }
        };
        let mut items = Vec::new();
        let mut withheld = Vec::new();
        let mut targets = Vec::new();
        for id in report_ids {
            let report = records::load::<IntelligenceReport>(backend, id)?;
            match self.package_item(backend, &report, today)? {
                Ok((item, people)) => {
                    targets.push(records::target::<IntelligenceReport>(id));
                    targets.extend(
                        people
                            .iter()
                            .map(|p| records::target::<crate::people::Person>(*p)),
                    );
                    items.push(item);
                }
                Err(reason) => withheld.push(Withheld {
                    report_id: id,
                    reason,
                }),
            }
        }
        if targets.is_empty() {
            targets.push(format!("police_package:{} withheld", withheld.len()));
        }
        self.audit_read(actor, Operation::PolicePackage, &targets)?;
        Ok(PolicePackage {
            made_on: today,
            scope,
            items,
            withheld,
        })
    }

    /// The item for a report, or why it is withheld.
    #[allow(clippy::type_complexity)]
    fn package_item(
        &self,
        backend: &dyn unchain_store::Backend,
        report: &Entity<IntelligenceReport>,
        today: NaiveDate,
    ) -> Result<std::result::Result<(PoliceItem, Vec<Uuid>), String>> {
        let Some(graded) = report.data.grading_on(today) else {
            return Ok(Err(
                "not graded: grade it before sharing it with police".into()
            ));
        };
        if let Err(why) = graded.grading.police_sharing() {
            return Ok(Err(format!(
                "the grading {} does not allow sharing with police: {why}",
                graded.grading.code()
            )));
        }
        let mut people = Vec::new();
        for case_id in self.report_case_ids(backend, report)? {
            let case = records::load::<Case>(backend, case_id)?;
            let person = case.data.person_id;
            if !self.consent_in_force(person, ConsentScope::SharingWithPolice, today)? {
                return Ok(Err(format!(
                    "the person of linked case {} has not consented to sharing with police",
                    case.data.reference
                )));
            }
            people.push(person);
        }
        let narrative: String = self
            .unseal(
                &report.data.narrative,
                IntelligenceReport::KIND,
                report.id,
                "narrative",
            )?
            .unwrap_or_default();
        let identifiers: Vec<intel::Identifier> = match &report.data.identifiers {
            Some(s) => self
                .unseal(s, IntelligenceReport::KIND, report.id, "identifiers")?
                .unwrap_or_default(),
            None => Vec::new(),
        };
        let (handling_code, handling_conditions) = match &graded.grading {
            Grading::ThreeFiveTwo {
                handling,
                conditions,
                ..
            } => (
                match handling {
                    HandlingCode::P => "P".to_owned(),
                    HandlingCode::C => "C".to_owned(),
                },
                conditions.clone(),
            ),
            Grading::FiveByFive { handling, .. } => (handling.to_string(), None),
        };
        Ok(Ok((
            PoliceItem {
                report_id: report.id,
                received_on: report.data.received_on,
                area: report.data.area.clone(),
                grading: graded.grading.code(),
                handling_code,
                handling_conditions,
                indicators: report.data.indicators.clone(),
                identifiers,
                narrative,
            },
            people,
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;
    use crate::cases::NewCase;
    use crate::consent::{ConsentMethod, NewConsent};
    use crate::grading::{IntelligenceAssessment, SourceEvaluation};
    use crate::intel::{NewReport, Source, SourceKind};
    use crate::people::PersonDetails;
    use crate::testing::{core, staff};

    fn ident(kind: intel::IdentifierKind, value: &str) -> intel::Identifier {
        intel::Identifier {
            kind,
            value: value.into(),
        }
    }

    fn new_report(source: Uuid, ids: Vec<intel::Identifier>, cases: Vec<Uuid>) -> NewReport {
        NewReport {
            received_on: None,
            source_id: source,
            narrative: "Workers collected from a house at dawn".into(),
            area: Some("Leeds".into()),
            indicators: vec![],
            age_group: None,
            exploitation_kind: None,
            identifiers: ids,
            case_ids: cases,
            suspect_ids: vec![],
        }
    }

    fn graded(handling: HandlingCode) -> Grading {
        Grading::ThreeFiveTwo {
            source: SourceEvaluation::Reliable,
            intelligence: IntelligenceAssessment::KnownIndirectlyCorroborated,
            handling,
            conditions: (handling == HandlingCode::C)
                .then(|| "Not to be shared outside the force".into()),
        }
    }

    #[test]
    fn clusters_from_the_store_and_police_packages() {
        use intel::IdentifierKind as K;
        let (core, _) = core();
        let actors = staff(&core);
        let admin = &actors[0];
        let source = core
            .create_source(
                admin,
                Source {
                    kind: SourceKind::Helpline,
                    name: "Helpline".into(),
                    group_id: None,
                },
            )
            .unwrap();
        let case = core
            .open_case(
                admin,
                NewCase {
                    person: PersonDetails {
                        names: vec!["A. Person".into()],
                        ..Default::default()
                    },
                    jurisdiction: crate::nrm::Jurisdiction::EnglandAndWales,
                    exploitation: vec![],
                    opened_on: None,
                    owner: None,
                    report_ids: vec![],
                },
            )
            .unwrap();
        let a = core
            .create_report(
                admin,
                new_report(source.id, vec![ident(K::Phone, "07700 900123")], vec![]),
            )
            .unwrap();
        let b = core
            .create_report(
                admin,
                new_report(
                    source.id,
                    vec![
                        ident(K::Phone, "+44 7700 900123"),
                        ident(K::Address, "10 High St, Leeds LS1 4AP"),
                    ],
                    vec![case.id],
                ),
            )
            .unwrap();
        let lone = core
            .create_report(
                admin,
                new_report(source.id, vec![ident(K::Phone, "07700 900999")], vec![]),
            )
            .unwrap();

        let clusters = core
            .network_clusters(admin, &ClusterOptions::default())
            .unwrap();
        assert_eq!(clusters.len(), 1);
        let c = &clusters[0];
        assert_eq!((c.reports, c.cases, c.suspects), (2, 1, 0));
        assert_eq!(c.shared.len(), 1);
        assert_eq!(c.shared[0].value.as_deref(), Some("+447700900123"));
        assert!(!format!("{c:?}").contains("+447700900123"));
        let analyst = crate::testing::by_role(&actors, Role::Analyst);
        let seen = core
            .network_clusters(analyst, &ClusterOptions::default())
            .unwrap();
        assert!(!seen[0].identities_shown);
        assert!(seen[0].shared.iter().all(|s| s.value.is_none()));
        let campaigner = actors
            .iter()
            .find(|a| a.role == Role::CampaignOfficer)
            .unwrap();
        assert!(matches!(
            core.network_clusters(campaigner, &ClusterOptions::default()),
            Err(CoreError::Forbidden { .. })
        ));

        // Police package: ungraded reports are withheld; graded ones go; a linked case without
        // consent to share with police withholds its report until consent is given.
        let pkg = core
            .police_package(admin, PackageScope::Cluster(a.id))
            .unwrap();
        assert!(pkg.items.is_empty());
        assert_eq!(pkg.withheld.len(), 2);
        core.grade_report(admin, a.id, a.version, graded(HandlingCode::P))
            .unwrap();
        core.grade_report(admin, b.id, b.version, graded(HandlingCode::C))
            .unwrap();
        let pkg = core
            .police_package(admin, PackageScope::Cluster(case.id))
            .unwrap();
        assert_eq!(pkg.items.len(), 1);
        assert_eq!(pkg.items[0].report_id, a.id);
        assert_eq!(pkg.items[0].grading, "1/B/P");
        assert!(pkg.withheld[0].reason.contains("consented"));
        core.record_consent(
            admin,
            case.person.id,
            NewConsent {
                scope: ConsentScope::SharingWithPolice,
                given: true,
                on: None,
                method: ConsentMethod::SignedForm,
                document_id: None,
            },
        )
        .unwrap();
        let pkg = core
            .police_package(admin, PackageScope::Cluster(b.id))
            .unwrap();
        assert_eq!(pkg.items.len(), 2);
        let c_item = pkg.items.iter().find(|i| i.report_id == b.id).unwrap();
        assert_eq!(c_item.handling_code, "C");
        assert!(c_item.handling_conditions.is_some());
        let csv = pkg.to_csv().unwrap();
        assert!(csv.starts_with("report_id,received_on,area,grading,handling_code"));
        assert_eq!(csv.lines().count(), 3);
        let single = core
            .police_package(admin, PackageScope::Report(lone.id))
            .unwrap();
        assert_eq!(single.withheld.len(), 1);
        assert!(matches!(
            core.police_package(analyst, PackageScope::Report(lone.id)),
            Err(CoreError::Forbidden { .. })
        ));
    }
}
