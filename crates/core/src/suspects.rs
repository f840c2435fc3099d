//! Suspects and persons of interest: the identifiers that tie them to intelligence (sealed under
//! the suspect's own key, so a suspect's data can be shredded like anyone's), their role in the
//! trafficking process in HTCDS v2.0 terms (`per_RoleInProcess`), and their links to reports and
//! cases.

use std::fmt;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Operation;
use crate::cases::Case;
use crate::error::{FieldError, Result};
use crate::intel::{Identifier, IntelligenceReport, dedup, dedup_identifiers};
use crate::people::Gender;
use crate::records::{self, Entity, Record};
use crate::sealed::Sealed;
use crate::unchain::Unchain;
use crate::users::Actor;
use crate::validate::{check, required};

/// A perpetrator's role in the process: the HTCDS v2.0 `per_RoleInProcess` picklist
/// (UNMigration/HTCDS, "HTCDS Field Reference", Person Perpetrator Context), value for value.
/// Roles the standard does not list (a financier, a money launderer) are `other`, described in
/// the sealed role details.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PerpetratorRole {
    /// `TravellingPartner`.
    TravellingPartner,
    /// `Transporter`.
    Transporter,
    /// `RecruiterOrIntermediary`.
    RecruiterOrIntermediary,
    /// `BrokerTravelAgent`.
    BrokerTravelAgent,
    /// `TransferredIndividual`.
    TransferredIndividual,
    /// `HarbouredIndividual`.
    HarbouredIndividual,
    /// `SoldIndividual`.
    SoldIndividual,
    /// `BoughtIndividual`.
    BoughtIndividual,
    /// `ReceivedIndividual`.
    ReceivedIndividual,
    /// `ControlledIndividual`.
    ControlledIndividual,
    /// `Smuggler`.
    Smuggler,
    /// `Abuser`.
    Abuser,
    /// `Kidnapper`.
    Kidnapper,
    /// `Exploiter`.
    Exploiter,
    /// `Other` (describe it in the role details).
    Other,
}

impl PerpetratorRole {
    /// Every role, in the standard's order.
    pub const ALL: [PerpetratorRole; 15] = [
        PerpetratorRole::TravellingPartner,
        PerpetratorRole::Transporter,
        PerpetratorRole::RecruiterOrIntermediary,
        PerpetratorRole::BrokerTravelAgent,
        PerpetratorRole::TransferredIndividual,
        PerpetratorRole::HarbouredIndividual,
        PerpetratorRole::SoldIndividual,
        PerpetratorRole::BoughtIndividual,
        PerpetratorRole::ReceivedIndividual,
        PerpetratorRole::ControlledIndividual,
        PerpetratorRole::Smuggler,
        PerpetratorRole::Abuser,
        PerpetratorRole::Kidnapper,
        PerpetratorRole::Exploiter,
        PerpetratorRole::Other,
    ];

    /// The HTCDS value name (`RecruiterOrIntermediary`), for interchange.
    pub fn htcds(self) -> &'static str {
        match self {
            PerpetratorRole::TravellingPartner => "TravellingPartner",
            PerpetratorRole::Transporter => "Transporter",
            PerpetratorRole::RecruiterOrIntermediary => "RecruiterOrIntermediary",
            PerpetratorRole::BrokerTravelAgent => "BrokerTravelAgent",
            PerpetratorRole::TransferredIndividual => "TransferredIndividual",
            PerpetratorRole::HarbouredIndividual => "HarbouredIndividual",
            PerpetratorRole::SoldIndividual => "SoldIndividual",
            PerpetratorRole::BoughtIndividual => "BoughtIndividual",
            PerpetratorRole::ReceivedIndividual => "ReceivedIndividual",
            PerpetratorRole::ControlledIndividual => "ControlledIndividual",
            PerpetratorRole::Smuggler => "Smuggler",
            PerpetratorRole::Abuser => "Abuser",
            PerpetratorRole::Kidnapper => "Kidnapper",
            PerpetratorRole::Exploiter => "Exploiter",
            PerpetratorRole::Other => "Other",
        }
    }
}

/// A suspect's details, to record or to replace.
#[derive(Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SuspectDetails {
    /// Names, phones, addresses, plates, businesses, handles (sealed).
    #[serde(default)]
    pub identifiers: Vec<Identifier>,
    /// Roles in the process (HTCDS `per_RoleInProcess`, several allowed).
    #[serde(default)]
    pub roles: Vec<PerpetratorRole>,
    /// The role in words (HTCDS `per_RoleDetails`; sealed, it may name people).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_details: Option<String>,
    /// Nationality, ISO 3166-1 alpha-2, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// Gender, if known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
}

impl fmt::Debug for SuspectDetails {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SuspectDetails")
            .field("identifiers", &self.identifiers)
            .field("roles", &self.roles)
            .field(
                "role_details",
                &self.role_details.as_ref().map(|_| "<redacted>"),
            )
            .field("nationality", &self.nationality)
            .field("gender", &self.gender)
            .finish()
    }
}

impl SuspectDetails {
    fn validate(&self, errors: &mut Vec<FieldError>) {
        if self.identifiers.len() > crate::intel::MAX_IDENTIFIERS {
            errors.push(FieldError::new("identifiers", "too many identifiers"));
        }
        for (i, id) in self.identifiers.iter().enumerate() {
            id.validate(&format!("identifiers[{i}]"), errors);
        }
        if let Some(d) = &self.role_details {
            required(errors, "role_details", d, 4000);
        }
        if self.roles.contains(&PerpetratorRole::Other)
            && self
                .role_details
                .as_deref()
                .is_none_or(|d| d.trim().is_empty())
        {
            errors.push(FieldError::new(
                "role_details",
                "describe the role when it is `other`",
            ));
        }
        if let Some(n) = &self.nationality {
            if n.len() != 2 || !n.bytes().all(|b| b.is_ascii_uppercase()) {
                errors.push(FieldError::new(
                    "nationality",
                    format!("{n:?} is not an ISO 3166-1 alpha-2 code (two capital letters)"),
                ));
            }
        }
    }
}

/// A suspect as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Suspect {
    /// A label for lists and packages (`S-` and six hex digits of the id).
    pub label: String,
    /// The identifiers, sealed under the suspect's key.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identifiers: Option<Sealed>,
    /// How many identifiers.
    #[serde(default)]
    pub identifier_count: u32,
    /// Roles in the process.
    #[serde(default)]
    pub roles: Vec<PerpetratorRole>,
    /// The role in words, sealed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_details: Option<Sealed>,
    /// Nationality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// Gender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    /// Reports that mention the suspect.
    #[serde(default)]
    pub report_ids: Vec<Uuid>,
    /// Cases the suspect is linked to.
    #[serde(default)]
    pub case_ids: Vec<Uuid>,
    /// Who recorded the suspect.
    pub recorded_by: String,
    /// When.
    pub recorded_at: DateTime<Utc>,
}

impl Record for Suspect {
    const COLLECTION: &'static str = "suspects";
    const KIND: &'static str = "suspect";
}

/// A suspect's label: `S-` and six hex digits of the id's random tail.
pub fn suspect_label(id: Uuid) -> String {
    let b = id.as_bytes();
    format!("S-{:02X}{:02X}{:02X}", b[13], b[14], b[15])
}

/// A suspect as listed: no identifiers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SuspectSummary {
    /// The id.
    pub id: Uuid,
    /// The version to send back with an update.
    pub version: u64,
    /// The label.
    pub label: String,
    /// Roles.
    pub roles: Vec<PerpetratorRole>,
    /// Nationality.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub nationality: Option<String>,
    /// Gender.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gender: Option<Gender>,
    /// How many identifiers.
    pub identifier_count: u32,
    /// Linked reports.
    pub report_ids: Vec<Uuid>,
    /// Linked cases (from either side).
    pub case_ids: Vec<Uuid>,
}

/// A suspect read in full (the read is audited).
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SuspectView {
    /// Everything but the sealed parts.
    #[serde(flatten)]
    pub summary: SuspectSummary,
    /// The identifiers (empty once erased).
    pub identifiers: Vec<Identifier>,
    /// The role in words.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub role_details: Option<String>,
}

impl fmt::Debug for SuspectView {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("SuspectView")
            .field("summary", &self.summary)
            .field("identifiers", &self.identifiers)
            .field(
                "role_details",
                &self.role_details.as_ref().map(|_| "<redacted>"),
            )
            .finish()
    }
}

/// A suspect to record, with its first links.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewSuspect {
    /// Who they are.
    #[serde(default)]
    pub details: SuspectDetails,
    /// Reports that mention them.
    #[serde(default)]
    pub report_ids: Vec<Uuid>,
    /// Cases they are linked to.
    #[serde(default)]
    pub case_ids: Vec<Uuid>,
}

impl Unchain {
    fn validate_suspect_links(
        &self,
        report_ids: &[Uuid],
        case_ids: &[Uuid],
        errors: &mut Vec<FieldError>,
    ) -> Result<()> {
        for (i, r) in report_ids.iter().enumerate() {
            if records::find::<IntelligenceReport>(self.backend.as_ref(), *r)?.is_none() {
                errors.push(FieldError::new(
                    format!("report_ids[{i}]"),
                    format!("no intelligence report {r}"),
                ));
            }
        }
        for (i, c) in case_ids.iter().enumerate() {
            if records::find::<Case>(self.backend.as_ref(), *c)?.is_none() {
                errors.push(FieldError::new(
                    format!("case_ids[{i}]"),
                    format!("no case {c}"),
                ));
            }
        }
        Ok(())
    }

    fn seal_suspect(&self, id: Uuid, details: &SuspectDetails, into: &mut Suspect) -> Result<()> {
        let identifiers = dedup_identifiers(&details.identifiers);
        into.identifier_count = u32::try_from(identifiers.len()).unwrap_or(u32::MAX);
        into.identifiers = if identifiers.is_empty() {
            None
        } else {
            Some(self.seal(id, Suspect::KIND, id, "identifiers", &identifiers)?)
        };
        into.role_details = match &details.role_details {
            Some(d) => Some(self.seal(id, Suspect::KIND, id, "role_details", &d.trim())?),
            None => None,
        };
        let mut roles = details.roles.clone();
        roles.sort();
        roles.dedup();
        into.roles = roles;
        into.nationality = details.nationality.clone();
        into.gender = details.gender;
        Ok(())
    }

    /// Records a suspect or person of interest, linking the reports and cases given (they record
    /// the link too, in the same write).
    pub fn create_suspect(&self, actor: &Actor, new: NewSuspect) -> Result<SuspectSummary> {
        self.authorize(actor, Operation::SuspectManage)?;
        let mut errors = Vec::new();
        new.details.validate(&mut errors);
        self.validate_suspect_links(&new.report_ids, &new.case_ids, &mut errors)?;
        check(errors)?;
        let id = Uuid::now_v7();
        let mut suspect = Suspect {
            label: suspect_label(id),
            identifiers: None,
            identifier_count: 0,
            roles: Vec::new(),
            role_details: None,
            nationality: None,
            gender: None,
            report_ids: dedup(&new.report_ids),
            case_ids: dedup(&new.case_ids),
            recorded_by: actor.name.clone(),
            recorded_at: self.clock.now(),
        };
        self.seal_suspect(id, &new.details, &mut suspect)?;
        self.write(actor, Operation::SuspectManage, |backend, batch| {
            let mut targets = vec![records::target::<Suspect>(id)];
            targets.extend(stage_suspect_links(
                backend,
                batch,
                id,
                &suspect.report_ids,
                &suspect.case_ids,
            )?);
            records::stage_put(batch, id, &suspect, None)?;
            Ok(((), targets))
        })?;
        self.suspect_summary(records::load(self.backend.as_ref(), id)?)
    }

    /// Replaces a suspect's details (identifiers, roles, role details, nationality, gender);
    /// links are kept. `version` is the one read.
    pub fn update_suspect(
        &self,
        actor: &Actor,
        id: Uuid,
        version: u64,
        details: SuspectDetails,
    ) -> Result<SuspectSummary> {
        self.authorize(actor, Operation::SuspectManage)?;
        let mut errors = Vec::new();
        details.validate(&mut errors);
        check(errors)?;
        let current = records::load_at::<Suspect>(self.backend.as_ref(), id, version)?;
        let mut suspect = current.data;
        self.seal_suspect(id, &details, &mut suspect)?;
        self.write(actor, Operation::SuspectManage, |backend, batch| {
            records::load_at::<Suspect>(backend, id, version)?;
            records::stage_put(batch, id, &suspect, Some(version))?;
            Ok(((), vec![records::target::<Suspect>(id)]))
        })?;
        self.suspect_summary(records::load(self.backend.as_ref(), id)?)
    }

    /// Links reports and cases to a suspect; they record the link too, in the same write.
    pub fn link_suspect(
        &self,
        actor: &Actor,
        id: Uuid,
        version: u64,
        report_ids: &[Uuid],
        case_ids: &[Uuid],
    ) -> Result<SuspectSummary> {
        self.authorize(actor, Operation::SuspectManage)?;
        let mut errors = Vec::new();
        self.validate_suspect_links(report_ids, case_ids, &mut errors)?;
        check(errors)?;
        self.write(actor, Operation::SuspectManage, |backend, batch| {
            let mut suspect = records::load_at::<Suspect>(backend, id, version)?;
            let new_reports: Vec<Uuid> = dedup(report_ids)
                .into_iter()
                .filter(|r| !suspect.data.report_ids.contains(r))
                .collect();
            let new_cases: Vec<Uuid> = dedup(case_ids)
                .into_iter()
                .filter(|c| !suspect.data.case_ids.contains(c))
                .collect();
            suspect.data.report_ids.extend(&new_reports);
            suspect.data.case_ids.extend(&new_cases);
            let mut targets = vec![records::target::<Suspect>(id)];
            targets.extend(stage_suspect_links(
                backend,
                batch,
                id,
                &new_reports,
                &new_cases,
            )?);
            records::stage_put(batch, id, &suspect.data, Some(version))?;
            Ok(((), targets))
        })?;
        self.suspect_summary(records::load(self.backend.as_ref(), id)?)
    }

    fn suspect_summary(&self, s: Entity<Suspect>) -> Result<SuspectSummary> {
        let from_cases: Vec<Uuid> = crate::index::linking::<Case>(self.backend.as_ref(), s.id)?
            .into_iter()
            .filter(|c| c.data.suspect_ids.contains(&s.id))
            .map(|c| c.id)
            .collect();
        Ok(summarise(s, &from_cases))
    }

    /// Every suspect, oldest first, without identifiers.
    pub fn suspects(&self, actor: &Actor) -> Result<Vec<SuspectSummary>> {
        self.authorize(actor, Operation::SuspectRead)?;
        // One scan of the cases for the case-side links, not one per suspect.
        let mut by_suspect: std::collections::BTreeMap<Uuid, Vec<Uuid>> = Default::default();
        for case in records::all::<Case>(self.backend.as_ref())? {
            for s in &case.data.suspect_ids {
                by_suspect.entry(*s).or_default().push(case.id);
            }
        }
        Ok(records::all::<Suspect>(self.backend.as_ref())?
            .into_iter()
            .map(|s| {
                let from_cases = by_suspect.remove(&s.id).unwrap_or_default();
                summarise(s, &from_cases)
            })
            .collect())
    }

    /// One suspect with the identifiers and role details opened (the read is audited).
    pub fn suspect(&self, actor: &Actor, id: Uuid) -> Result<SuspectView> {
        self.authorize(actor, Operation::SuspectRead)?;
        let s = records::load::<Suspect>(self.backend.as_ref(), id)?;
        let identifiers = self.suspect_identifiers(id)?;
        let role_details = match &s.data.role_details {
            Some(sealed) => self.unseal::<String>(sealed, Suspect::KIND, id, "role_details")?,
            None => None,
        };
        self.audit_read(
            actor,
            Operation::SuspectRead,
            &[records::target::<Suspect>(id)],
        )?;
        Ok(SuspectView {
            summary: self.suspect_summary(s)?,
            identifiers,
            role_details,
        })
    }

    /// The identifiers of a suspect (empty once erased), for the network picture. Not audited by
    /// itself: callers that show them audit the read.
    pub(crate) fn suspect_identifiers(&self, id: Uuid) -> Result<Vec<Identifier>> {
        let s = records::load::<Suspect>(self.backend.as_ref(), id)?;
        match &s.data.identifiers {
            None => Ok(Vec::new()),
            Some(sealed) => Ok(self
                .unseal::<Vec<Identifier>>(sealed, Suspect::KIND, id, "identifiers")?
                .unwrap_or_default()),
        }
    }
}

/// A suspect's summary, given the cases that list it.
fn summarise(s: Entity<Suspect>, from_cases: &[Uuid]) -> SuspectSummary {
    let mut case_ids = s.data.case_ids.clone();
    for c in from_cases {
        if !case_ids.contains(c) {
            case_ids.push(*c);
        }
    }
    SuspectSummary {
        id: s.id,
        version: s.version,
        label: s.data.label,
        roles: s.data.roles,
        nationality: s.data.nationality,
        gender: s.data.gender,
        identifier_count: s.data.identifier_count,
        report_ids: s.data.report_ids,
        case_ids,
    }
}

/// Records a suspect's new links on the other side (reports list the suspect, cases too),
/// version-checked. Returns the audit targets.
fn stage_suspect_links(
    backend: &dyn unchain_store::Backend,
    batch: &mut unchain_store::Batch,
    suspect_id: Uuid,
    report_ids: &[Uuid],
    case_ids: &[Uuid],
) -> Result<Vec<String>> {
    let mut targets = Vec::new();
    for r in report_ids {
        let mut report = records::load::<IntelligenceReport>(backend, *r)?;
        if !report.data.suspect_ids.contains(&suspect_id) {
            report.data.suspect_ids.push(suspect_id);
            records::stage_put(batch, report.id, &report.data, Some(report.version))?;
        }
        targets.push(records::target::<IntelligenceReport>(*r));
    }
    for c in case_ids {
        let mut case = records::load::<Case>(backend, *c)?;
        if !case.data.suspect_ids.contains(&suspect_id) {
            case.data.suspect_ids.push(suspect_id);
            records::stage_put(batch, case.id, &case.data, Some(case.version))?;
        }
        targets.push(records::target::<Case>(*c));
    }
    Ok(targets)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::CoreError;
    use crate::auth::Role;
    use crate::intel::IdentifierKind;
    use crate::intel::tests::{by_role, contains, fixture, new_case, ngo, raw_bytes, report};
    use crate::testing::dump;
    use proptest::prelude::*;

    fn gangmaster() -> SuspectDetails {
        SuspectDetails {
            identifiers: vec![
                Identifier {
                    kind: IdentifierKind::Name,
                    value: "Vortigern Blesk".into(),
                },
                Identifier {
                    kind: IdentifierKind::Phone,
                    value: "07700 900123".into(),
                },
                // The same phone written differently counts once.
                Identifier {
                    kind: IdentifierKind::Phone,
                    value: "+44 7700 900-123".into(),
                },
            ],
            roles: vec![
                PerpetratorRole::Exploiter,
                PerpetratorRole::RecruiterOrIntermediary,
                PerpetratorRole::Exploiter,
            ],
            role_details: Some("runs the car washes for Blesk senior".into()),
            nationality: Some("GB".into()),
            gender: Some(Gender::Male),
        }
    }

    #[test]
    fn a_suspect_is_sealed_linked_both_ways_and_read_with_an_audit_entry() {
        let (core, backend, staff) = fixture();
        let inv = by_role(&staff, Role::Investigator);
        let source = ngo(&core, inv);
        let r = core.create_report(inv, report(source.id)).expect("report");
        let case = core
            .open_case(inv, new_case("Ana Victim", vec![]))
            .expect("case");
        let s = core
            .create_suspect(
                inv,
                NewSuspect {
                    details: gangmaster(),
                    report_ids: vec![r.id],
                    case_ids: vec![],
                },
            )
            .expect("suspect");
        assert_eq!(s.identifier_count, 2);
        assert_eq!(
            s.roles,
            [
                PerpetratorRole::RecruiterOrIntermediary,
                PerpetratorRole::Exploiter
            ]
        );
        assert!(s.label.starts_with("S-"));
        // The report lists the suspect too.
        let rs = core.report(inv, r.id).expect("report").summary;
        assert_eq!(rs.suspect_ids, [s.id]);
        // Link a case; the case lists the suspect.
        let s2 = core
            .link_suspect(inv, s.id, s.version, &[], &[case.id])
            .expect("linked");
        assert_eq!(s2.case_ids, [case.id]);
        assert_eq!(core.case(inv, case.id).expect("case").suspect_ids, [s.id]);
        // A stale version is a conflict.
        let before = dump(&backend);
        let stale = core.update_suspect(inv, s.id, s.version, gangmaster());
        assert!(
            matches!(stale, Err(CoreError::Conflict { .. })),
            "{stale:?}"
        );
        assert_eq!(dump(&backend), before);
        let view = core.suspect(inv, s.id).expect("read");
        assert_eq!(view.identifiers.len(), 2);
        assert_eq!(
            view.role_details.as_deref(),
            Some("runs the car washes for Blesk senior")
        );
        let raw = raw_bytes(backend.as_ref());
        for secret in ["Vortigern", "07700 900123", "car washes"] {
            assert!(!contains(&raw, secret), "{secret} in the store");
        }
        let debug = format!("{view:?} {:?}", gangmaster());
        for secret in ["Vortigern", "07700", "car washes"] {
            assert!(!debug.contains(secret), "{secret} in Debug");
        }
        assert_eq!(core.suspect_identifiers(s.id).expect("ids").len(), 2);
        assert_eq!(
            core.suspects(inv).expect("list"),
            [core.suspect(inv, s.id).expect("read").summary]
        );
        let updated = core
            .update_suspect(
                inv,
                s.id,
                s2.version,
                SuspectDetails {
                    roles: vec![PerpetratorRole::Transporter],
                    ..SuspectDetails::default()
                },
            )
            .expect("updated");
        assert_eq!(updated.identifier_count, 0);
        assert_eq!(updated.case_ids, [case.id], "links are kept");
    }

    #[test]
    fn invalid_suspects_name_every_field_and_write_nothing() {
        let (core, backend, staff) = fixture();
        let inv = by_role(&staff, Role::Investigator);
        let before = dump(&backend);
        let bad = NewSuspect {
            details: SuspectDetails {
                identifiers: vec![Identifier {
                    kind: IdentifierKind::Email,
                    value: "not an email".into(),
                }],
                roles: vec![PerpetratorRole::Other],
                role_details: None,
                nationality: Some("British".into()),
                gender: None,
            },
            report_ids: vec![Uuid::nil()],
            case_ids: vec![Uuid::nil()],
        };
        let fields = crate::testing::invalid_fields(core.create_suspect(inv, bad));
        assert_eq!(
            fields,
            [
                "identifiers[0].value",
                "role_details",
                "nationality",
                "report_ids[0]",
                "case_ids[0]"
            ]
        );
        assert_eq!(dump(&backend), before);
    }

    #[test]
    fn only_the_matrix_roles_manage_and_read_suspects() {
        let (core, _, staff) = fixture();
        for actor in &staff {
            let made = core.create_suspect(
                actor,
                NewSuspect {
                    details: gangmaster(),
                    ..NewSuspect::default()
                },
            );
            assert_eq!(
                made.is_ok(),
                crate::auth::allowed(actor.role, Operation::SuspectManage),
                "{}",
                actor.role
            );
            assert_eq!(
                core.suspects(actor).is_ok(),
                crate::auth::allowed(actor.role, Operation::SuspectRead),
                "{}",
                actor.role
            );
        }
        let analyst = by_role(&staff, Role::Analyst);
        assert!(matches!(
            core.suspects(analyst),
            Err(CoreError::Forbidden { .. })
        ));
    }

    proptest! {
        // Every role serialises to the snake_case of its HTCDS value name and back.
        #[test]
        fn roles_round_trip_and_match_the_htcds_names(i in 0usize..PerpetratorRole::ALL.len()) {
            let role = PerpetratorRole::ALL[i];
            let json = serde_json::to_string(&role).expect("serialises");
            let snake: String = role.htcds().chars().enumerate().flat_map(|(k, c)| {
                let lower = c.to_ascii_lowercase();
                if c.is_ascii_uppercase() && k > 0 { vec!['_', lower] } else { vec![lower] }
            }).collect();
            prop_assert_eq!(json, format!("\"{snake}\""));
            prop_assert_eq!(serde_json::from_str::<PerpetratorRole>(&format!("\"{snake}\"")).expect("parses"), role);
        }
    }
}
