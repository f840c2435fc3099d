//! Consent: what each person has agreed to, by scope, given or withdrawn over time. Every share
//! (an NRM referral of an adult, intelligence to police, a referral to another organisation)
//! checks the consent in force on its date through [`Unchain::consent_in_force`].

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::auth::Operation;
use crate::error::{CoreError, FieldError, Result};
use crate::people::Person;
use crate::records::{self, Entity, Record};
use crate::unchain::Unchain;
use crate::users::Actor;
use crate::validate::{check, not_future};

/// What a consent covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentScope {
    /// Being referred into the NRM (adults must consent; children are referred without it).
    NrmReferral,
    /// Information about the person being shared with police.
    SharingWithPolice,
    /// Information being shared with other organisations (aftercare providers, other NGOs).
    SharingWithOrganisations,
    /// The NGO acting as the person's legal advocate.
    LegalAdvocacy,
    /// The NGO processing the person's data at all (UK GDPR).
    DataProcessing,
}

impl ConsentScope {
    /// Every scope.
    pub const ALL: [ConsentScope; 5] = [
        ConsentScope::NrmReferral,
        ConsentScope::SharingWithPolice,
        ConsentScope::SharingWithOrganisations,
        ConsentScope::LegalAdvocacy,
        ConsentScope::DataProcessing,
    ];

    /// The snake_case name.
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentScope::NrmReferral => "nrm_referral",
            ConsentScope::SharingWithPolice => "sharing_with_police",
            ConsentScope::SharingWithOrganisations => "sharing_with_organisations",
            ConsentScope::LegalAdvocacy => "legal_advocacy",
            ConsentScope::DataProcessing => "data_processing",
        }
    }
}

/// How the consent (or its withdrawal) was recorded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ConsentMethod {
    /// A signed form (attach it as a document).
    SignedForm,
    /// Said aloud, with a witness.
    VerbalWitnessed,
    /// Said aloud through an interpreter.
    VerbalInterpreted,
    /// Electronically (e-mail, an online form).
    Electronic,
    /// By a parent, guardian or Independent Child Trafficking Guardian for a child.
    Guardian,
}

/// One consent decision.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentRecord {
    /// Whose consent.
    pub person_id: Uuid,
    /// What it covers.
    pub scope: ConsentScope,
    /// Given (`true`) or withdrawn / refused (`false`).
    pub given: bool,
    /// The day it was given or withdrawn.
    pub on: NaiveDate,
    /// How it was recorded.
    pub method: ConsentMethod,
    /// The signed form or other evidence, if attached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<Uuid>,
    /// Who recorded it.
    pub recorded_by: String,
    /// When it was recorded.
    pub recorded_at: DateTime<Utc>,
}

impl Record for ConsentRecord {
    const COLLECTION: &'static str = "consents";
    const KIND: &'static str = "consent";

    fn person_id(&self) -> Option<Uuid> {
        Some(self.person_id)
    }
}

/// A consent decision to record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewConsent {
    /// What it covers.
    pub scope: ConsentScope,
    /// Given or withdrawn.
    pub given: bool,
    /// The day; defaults to today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub on: Option<NaiveDate>,
    /// How it was recorded.
    pub method: ConsentMethod,
    /// The signed form, if attached.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub document_id: Option<Uuid>,
}

/// The consent in force for one scope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ConsentStatus {
    /// The scope.
    pub scope: ConsentScope,
    /// Given on the day asked about (`false` when never recorded or withdrawn).
    pub given: bool,
    /// The decision in force, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<NaiveDate>,
}

/// Per person: a counter bumped by every consent decision. A share reads the consent and guards
/// its write with a check on this counter, so a withdrawal committed between the read and the
/// write makes the share conflict instead of going out on consent that no longer stands.
pub(crate) const CONSENT_HEADS: &str = "consent_heads";

impl Unchain {
    /// The state of a person's consent decisions now, to check later with
    /// [`Unchain::check_consent_head`] when a decision was read before its write began.
    pub(crate) fn consent_head(&self, person_id: Uuid) -> Result<unchain_store::Expect> {
        Ok(
            match self.backend.get(CONSENT_HEADS, person_id.as_bytes())? {
                Some(v) => unchain_store::Expect::Version(v.version),
                None => unchain_store::Expect::Absent,
            },
        )
    }

    /// Stages a check that the person's consent decisions are still at `head`.
    pub(crate) fn check_consent_head(
        batch: &mut unchain_store::Batch,
        person_id: Uuid,
        head: unchain_store::Expect,
    ) {
        batch.check(CONSENT_HEADS, person_id.as_bytes().to_vec(), head);
    }

    /// Stages a check that the person's consent decisions are still the ones just read.
    pub(crate) fn guard_consent(
        &self,
        backend: &dyn unchain_store::Backend,
        batch: &mut unchain_store::Batch,
        person_id: Uuid,
    ) -> Result<()> {
        let expect = match backend.get(CONSENT_HEADS, person_id.as_bytes())? {
            Some(v) => unchain_store::Expect::Version(v.version),
            None => unchain_store::Expect::Absent,
        };
        batch.check(CONSENT_HEADS, person_id.as_bytes().to_vec(), expect);
        Ok(())
    }

    /// [`Unchain::require_consent`] inside a write: refuses without consent, and guards the write
    /// against a decision recorded meanwhile.
    pub(crate) fn require_consent_in(
        &self,
        backend: &dyn unchain_store::Backend,
        batch: &mut unchain_store::Batch,
        person_id: Uuid,
        scope: ConsentScope,
        on: NaiveDate,
    ) -> Result<()> {
        self.guard_consent(backend, batch, person_id)?;
        self.require_consent(person_id, scope, on)
    }

    /// Records consent given or withdrawn by a person.
    pub fn record_consent(
        &self,
        actor: &Actor,
        person_id: Uuid,
        new: NewConsent,
    ) -> Result<Entity<ConsentRecord>> {
        self.authorize(actor, Operation::ConsentRecord)?;
        let today = self.clock.today();
        let on = new.on.unwrap_or(today);
        let mut errors = Vec::new();
        not_future(&mut errors, "on", on, today);
        if let Some(d) = new.document_id {
            if self
                .backend
                .get(crate::documents::Document::COLLECTION, d.as_bytes())?
                .is_none()
            {
                errors.push(FieldError::new("document_id", format!("no document {d}")));
            }
        }
        check(errors)?;
        let record = ConsentRecord {
            person_id,
            scope: new.scope,
            given: new.given,
            on,
            method: new.method,
            document_id: new.document_id,
            recorded_by: actor.name.clone(),
            recorded_at: self.clock.now(),
        };
        let id = Uuid::now_v7();
        self.write(actor, Operation::ConsentRecord, |backend, batch| {
            let person = records::load::<Person>(backend, person_id)?;
            if person.data.erased.is_some() {
                return Err(CoreError::Refused(format!(
                    "person {} was erased",
                    person.data.pseudonym
                )));
            }
            records::stage_check(batch, &person);
            records::stage_put(batch, id, &record, None)?;
            let (expect, count) = match backend.get(CONSENT_HEADS, person_id.as_bytes())? {
                Some(v) => (unchain_store::Expect::Version(v.version), v.version + 1),
                None => (unchain_store::Expect::Absent, 1),
            };
            batch.put(
                CONSENT_HEADS,
                person_id.as_bytes().to_vec(),
                count.to_be_bytes().to_vec(),
                expect,
            );
            Ok((
                (),
                vec![
                    records::target::<ConsentRecord>(id),
                    records::target::<Person>(person_id),
                ],
            ))
        })?;
        Ok(Entity {
            id,
            version: 1,
            data: record,
        })
    }

    /// Every consent decision of a person, in the order they took effect.
    pub fn consents(&self, actor: &Actor, person_id: Uuid) -> Result<Vec<Entity<ConsentRecord>>> {
        self.authorize(actor, Operation::ConsentRead)?;
        records::load::<Person>(self.backend.as_ref(), person_id)?;
        self.consent_history(person_id)
    }

    /// The consent in force for every scope on `on`.
    pub fn consent_status(
        &self,
        actor: &Actor,
        person_id: Uuid,
        on: NaiveDate,
    ) -> Result<Vec<ConsentStatus>> {
        self.authorize(actor, Operation::ConsentRead)?;
        records::load::<Person>(self.backend.as_ref(), person_id)?;
        let history = self.consent_history(person_id)?;
        Ok(ConsentScope::ALL
            .into_iter()
            .map(|scope| {
                let latest = in_force(&history, scope, on);
                ConsentStatus {
                    scope,
                    given: latest.is_some_and(|c| c.data.given),
                    since: latest.map(|c| c.data.on),
                }
            })
            .collect())
    }

    pub(crate) fn consent_history(&self, person_id: Uuid) -> Result<Vec<Entity<ConsentRecord>>> {
        let mut out = crate::index::of_person::<ConsentRecord>(self.backend.as_ref(), person_id)?;
        out.sort_by_key(|c| (c.data.on, c.data.recorded_at, c.id));
        Ok(out)
    }

    /// Whether the person's consent for `scope` is in force on `on` (the latest decision on or
    /// before that day wins; none recorded means no).
    pub fn consent_in_force(
        &self,
        person_id: Uuid,
        scope: ConsentScope,
        on: NaiveDate,
    ) -> Result<bool> {
        let history = self.consent_history(person_id)?;
        Ok(in_force(&history, scope, on).is_some_and(|c| c.data.given))
    }

    /// Refuses, with the reason, unless consent for `scope` is in force on `on`.
    pub(crate) fn require_consent(
        &self,
        person_id: Uuid,
        scope: ConsentScope,
        on: NaiveDate,
    ) -> Result<()> {
        let history = self.consent_history(person_id)?;
        match in_force(&history, scope, on) {
            Some(c) if c.data.given => Ok(()),
            Some(c) => Err(CoreError::Refused(format!(
                "person {} withdrew consent to {} on {}",
                crate::people::pseudonym(person_id),
                scope.as_str(),
                c.data.on
            ))),
            None => Err(CoreError::Refused(format!(
                "person {} has not consented to {}",
                crate::people::pseudonym(person_id),
                scope.as_str()
            ))),
        }
    }
}

fn in_force(
    history: &[Entity<ConsentRecord>],
    scope: ConsentScope,
    on: NaiveDate,
) -> Option<&Entity<ConsentRecord>> {
    history
        .iter()
        .rfind(|c| c.data.scope == scope && c.data.on <= on)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;
    use crate::cases::NewCase;
    use crate::people::PersonDetails;
    use crate::testing::{core, staff};
    use unchain_store::{Batch, StoreError};

    #[test]
    fn a_decision_recorded_after_a_share_read_consent_makes_the_share_conflict() {
        let (core, _) = core();
        let staff = staff(&core);
        let kim = staff
            .iter()
            .find(|a| a.role == Role::AftercareCoordinator)
            .expect("role");
        let case = core
            .open_case(
                kim,
                NewCase {
                    person: PersonDetails::default(),
                    jurisdiction: unchain_nrm::Jurisdiction::EnglandAndWales,
                    exploitation: vec![],
                    opened_on: None,
                    owner: None,
                    report_ids: vec![],
                },
            )
            .expect("case");
        let person = case.person.id;
        let decide = |given| NewConsent {
            scope: ConsentScope::SharingWithPolice,
            given,
            on: None,
            method: ConsentMethod::SignedForm,
            document_id: None,
        };
        core.record_consent(kim, person, decide(true))
            .expect("given");
        // A share reads the consent in force and guards its batch ...
        let mut share = Batch::new();
        core.require_consent_in(
            core.backend.as_ref(),
            &mut share,
            person,
            ConsentScope::SharingWithPolice,
            core.clock.today(),
        )
        .expect("consent in force");
        share.put(
            "test_shares",
            b"s".to_vec(),
            b"sent".to_vec(),
            unchain_store::Expect::Absent,
        );
        // ... the person withdraws before the share commits ...
        core.record_consent(kim, person, decide(false))
            .expect("withdrawn");
        // ... so the share cannot commit on the consent it read.
        let err = core
            .backend
            .commit(&share)
            .expect_err("the share must conflict");
        assert!(
            matches!(err, StoreError::Conflict { ref collection, .. } if collection == CONSENT_HEADS)
        );
        assert!(
            core.backend
                .get("test_shares", b"s")
                .expect("get")
                .is_none()
        );
        assert!(
            !core
                .consent_in_force(person, ConsentScope::SharingWithPolice, core.clock.today())
                .expect("reads")
        );
    }
}
