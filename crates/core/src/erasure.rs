//! Erasure (crypto-shredding with a tombstone) and subject access export.
//!
//! Everything that identifies a person is sealed under that person's own data key, wherever it
//! is stored — details, case reasons, documents, notes kept by the other services. Erasing the
//! person destroys the key, which makes every copy unreadable at once (backups included, since
//! they hold only the wrapped key). The person record stays as a tombstone (pseudonym, age group,
//! who erased it, when and why) and the audit trail is kept, so the organisation can still show
//! what it did without holding who it was about.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use unchain_store::crypto::Envelope;
use unchain_store::{Scan, SubjectId};
use uuid::Uuid;

use crate::auth::Operation;
use crate::cases::Case;
use crate::consent::ConsentRecord;
use crate::documents::Document;
use crate::error::{CoreError, Result};
use crate::people::{Erasure, Person};
use crate::records::{self, Record};
use crate::unchain::Unchain;
use crate::users::Actor;
use crate::validate::{check, required};

/// What an erasure did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ErasureReport {
    /// The person erased.
    pub person_id: Uuid,
    /// Their pseudonym, which stays.
    pub pseudonym: String,
    /// The cases about them (kept, with their events, as records of the work).
    pub cases: Vec<Uuid>,
    /// Documents whose content was removed.
    pub documents_removed: usize,
    /// When.
    pub at: DateTime<Utc>,
}

/// Collections the subject access export reads through their own services, or that never
/// hold data about a person.
const SKIPPED: &[&str] = &[
    "people",
    "cases",
    "consents",
    "documents",
    "users",
    "user_names",
    "tokens",
];

impl Unchain {
    /// Erases a person: destroys their data key (so every sealed value about them becomes
    /// unreadable everywhere), removes document contents and leaves a tombstone. Irreversible.
    ///
    /// `reason` must not itself hold personal data (e.g. "erasure request under UK GDPR Art. 17,
    /// received 2024-05-30").
    pub fn erase_person(
        &self,
        actor: &Actor,
        person_id: Uuid,
        reason: &str,
    ) -> Result<ErasureReport> {
        self.authorize(actor, Operation::PersonErase)?;
        let mut errors = Vec::new();
        required(&mut errors, "reason", reason, 500);
        check(errors)?;
        self.authorize(actor, Operation::PersonErase)?;
        let person = records::load::<Person>(self.backend.as_ref(), person_id)?;
        if person.data.erased.is_some() {
            return Err(CoreError::Refused(format!(
                "person {} was already erased",
                person.data.pseudonym
            )));
        }
        // The key goes first: if the tombstone write below fails, the data is already shredded
        // (the safe direction) and a retry completes the tombstone.
        self.keyring.forget_subject(&SubjectId::from(person_id))?;
        let at = self.clock.now();
        let (cases, documents_removed) =
            self.write(actor, Operation::PersonErase, |backend, batch| {
                let mut person = records::load::<Person>(backend, person_id)?;
                let version = person.version;
                person.data.details = None;
                person.data.erased = Some(Erasure {
                    at,
                    by: actor.name.clone(),
                    reason: reason.trim().to_owned(),
                });
                records::stage_put(batch, person_id, &person.data, Some(version))?;
                let docs = crate::index::of_person::<Document>(backend, person_id)?;
                let mut removed = 0;
                for mut d in docs {
                    if d.data.content.is_some() || d.data.title.is_some() {
                        d.data.content = None;
                        d.data.title = None;
                        records::stage_put(batch, d.id, &d.data, Some(d.version))?;
                        removed += 1;
                    }
                }
                let cases: Vec<Uuid> = crate::index::of_person::<Case>(backend, person_id)?
                    .into_iter()
                    .map(|c| c.id)
                    .collect();
                Ok(((cases, removed), vec![records::target::<Person>(person_id)]))
            })?;
        Ok(ErasureReport {
            person_id,
            pseudonym: person.data.pseudonym,
            cases,
            documents_removed,
            at,
        })
    }

    /// Everything held about one person, as one JSON document (a subject access request under
    /// UK GDPR Art. 15): their details, consents, cases with full timelines, documents (with
    /// content), and every other record that names them or their cases, with sealed fields
    /// opened. The export is audited.
    pub fn export_person(&self, actor: &Actor, person_id: Uuid) -> Result<Value> {
        self.authorize(actor, Operation::PersonExport)?;
        let backend = self.backend.as_ref();
        let person = records::load::<Person>(backend, person_id)?;
        let details = match &person.data.details {
            Some(s) => self.unseal::<Value>(s, Person::KIND, person_id, "details")?,
            None => None,
        };
        let cases = crate::index::of_person::<Case>(backend, person_id)?;
        let case_ids: Vec<Uuid> = cases.iter().map(|c| c.id).collect();
        let mut case_docs = Vec::new();
        for c in &cases {
            let mut timeline = Vec::new();
            for (i, e) in c.data.events.iter().enumerate() {
                let reason = match &e.reason {
                    Some(s) => {
                        self.unseal::<String>(s, Case::KIND, c.id, &format!("reason:{i}"))?
                    }
                    None => None,
                };
                timeline.push(serde_json::json!({
                    "date": e.event.date,
                    "recorded_at": e.recorded_at,
                    "recorded_by": e.recorded_by,
                    "event": e.event.kind,
                    "reason": reason,
                }));
            }
            case_docs.push(serde_json::json!({
                "id": c.id,
                "reference": c.data.reference,
                "jurisdiction": c.data.jurisdiction,
                "exploitation": c.data.exploitation,
                "rescue_id": c.data.rescue_id,
                "timeline": timeline,
            }));
        }
        let consents = crate::index::of_person::<ConsentRecord>(backend, person_id)?;
        let mut documents = Vec::new();
        for d in crate::index::of_person::<Document>(backend, person_id)? {
            let title = match &d.data.title {
                Some(t) => self.unseal::<String>(t, Document::KIND, d.id, "title")?,
                None => None,
            };
            let content = match &d.data.content {
                Some(c) => self.unseal_bytes(c, Document::KIND, d.id, "content")?,
                None => None,
            };
            use base64::Engine as _;
            documents.push(serde_json::json!({
                "id": d.id,
                "case_id": d.data.case_id,
                "kind": d.data.kind,
                "title": title,
                "date": d.data.date,
                "media_type": d.data.media_type,
                "sha256": d.data.sha256,
                "content_base64": content.map(|c| base64::engine::general_purpose::STANDARD.encode(c)),
            }));
        }
        let other = self.records_about(person_id, &case_ids)?;
        self.audit_read(
            actor,
            Operation::PersonExport,
            &[records::target::<Person>(person_id)],
        )?;
        Ok(serde_json::json!({
            "person": {
                "id": person_id,
                "pseudonym": person.data.pseudonym,
                "age_group": person.data.age_group,
                "created_at": person.data.created_at,
                "details": details,
                "erased": person.data.erased,
            },
            "consents": consents.iter().map(|c| serde_json::json!({"id": c.id, "record": c.data})).collect::<Vec<_>>(),
            "cases": case_docs,
            "documents": documents,
            "other_records": other,
            "exported_at": self.clock.now(),
            "exported_by": actor.name,
        }))
    }

    /// Every record of the other services that names the person or one of their cases (by a
    /// `person_id`, `case_id` or `case_ids` field), with sealed top-level fields opened.
    fn records_about(&self, person_id: Uuid, case_ids: &[Uuid]) -> Result<Map<String, Value>> {
        let pid = person_id.to_string();
        let cids: Vec<String> = case_ids.iter().map(Uuid::to_string).collect();
        let names = |v: Option<&Value>| match v {
            Some(Value::String(s)) => *s == pid || cids.contains(s),
            Some(Value::Array(a)) => a.iter().any(|x| {
                x.as_str()
                    .is_some_and(|s| cids.contains(&s.to_owned()) || s == pid)
            }),
            _ => false,
        };
        let mut out = Map::new();
        for collection in self.backend.collections()? {
            let Some(kind) = crate::KINDS
                .iter()
                .find(|(c, _)| *c == collection)
                .map(|(_, k)| *k)
            else {
                continue;
            };
            if SKIPPED.contains(&collection.as_str()) {
                continue;
            }
            let mut found = Vec::new();
            for (key, v) in self.backend.scan(&collection, &Scan::all())? {
                let Ok(id) = Uuid::from_slice(&key) else {
                    continue;
                };
                let Ok(Value::Object(mut obj)) = serde_json::from_slice::<Value>(&v.value) else {
                    continue;
                };
                if !(names(obj.get("person_id"))
                    || names(obj.get("case_id"))
                    || names(obj.get("case_ids")))
                {
                    continue;
                }
                for (field, value) in obj.iter_mut() {
                    if let Some(opened) = self.try_open(kind, id, field, value)? {
                        *value = opened;
                    }
                }
                obj.insert("id".into(), Value::String(id.to_string()));
                found.push(Value::Object(obj));
            }
            if !found.is_empty() {
                out.insert(collection, Value::Array(found));
            }
        }
        Ok(out)
    }

    fn try_open(&self, kind: &str, id: Uuid, field: &str, value: &Value) -> Result<Option<Value>> {
        use base64::Engine as _;
        let Value::String(text) = value else {
            return Ok(None);
        };
        let Ok(raw) = base64::engine::general_purpose::STANDARD_NO_PAD.decode(text.as_bytes())
        else {
            return Ok(None);
        };
        if !Envelope::looks_sealed(&raw) {
            return Ok(None);
        }
        let sealed = crate::sealed::Sealed(raw);
        // A value this export cannot open (erased, or sealed under another context) is shown as
        // such rather than failing the whole request.
        Ok(Some(
            self.unseal::<Value>(&sealed, kind, id, field)
                .ok()
                .flatten()
                .unwrap_or(Value::String("(sealed)".into())),
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::auth::Role;
    use crate::cases::{NewCase, NewEvent};
    use crate::consent::{ConsentMethod, ConsentScope, NewConsent};
    use crate::documents::{DocumentKind, NewDocument};
    use crate::people::PersonDetails;
    use crate::testing::{core, dump, staff};
    use unchain_lifecycle::EventKind;

    fn raw_contains(backend: &unchain_store::MemoryBackend, needle: &[u8]) -> bool {
        dump(backend)
            .into_iter()
            .flat_map(|(_, e)| e.into_iter().flat_map(|(k, _, v)| k.into_iter().chain(v)))
            .collect::<Vec<u8>>()
            .windows(needle.len())
            .any(|w| w == needle)
    }

    #[test]
    fn subject_access_then_erasure_shreds_everything_and_keeps_a_tombstone() {
        let (core, backend) = core();
        let staff = staff(&core);
        let role = |r: Role| crate::testing::by_role(&staff, r).clone();
        let (inv, manager) = (role(Role::Investigator), role(Role::Manager));
        let case = core
            .open_case(
                &inv,
                NewCase {
                    person: PersonDetails {
                        names: vec!["Mira Example".into()],
                        nationalities: vec!["VN".into()],
                        ..PersonDetails::default()
                    },
                    jurisdiction: unchain_nrm::Jurisdiction::Scotland,
                    exploitation: vec![],
                    opened_on: None,
                    owner: None,
                    report_ids: vec![],
                },
            )
            .expect("opens");
        let case = core
            .record_case_event(
                &manager,
                case.id,
                case.version,
                NewEvent {
                    kind: EventKind::NotPursued {
                        not_pursued_reason: unchain_lifecycle::NotPursuedReason::Other,
                    },
                    date: None,
                    reason: Some("Mira asked us to stop".into()),
                },
            )
            .expect("not pursued");
        core.record_consent(
            &inv,
            case.person.id,
            NewConsent {
                scope: ConsentScope::DataProcessing,
                given: true,
                on: None,
                method: ConsentMethod::VerbalInterpreted,
                document_id: None,
            },
        )
        .expect("consent");
        let doc = core
            .attach_document(
                &manager,
                case.id,
                NewDocument {
                    kind: DocumentKind::ConsentForm,
                    title: "Mira's form".into(),
                    date: None,
                    media_type: "text/plain".into(),
                    content: b"I, Mira Example, agree".to_vec(),
                },
            )
            .expect("attached");
        assert!(
            !raw_contains(&backend, b"Mira"),
            "nothing in clear before erasure"
        );

        // Subject access: everything, opened.
        assert!(matches!(
            core.export_person(&inv, case.person.id),
            Err(CoreError::Forbidden { .. })
        ));
        let export = core
            .export_person(&manager, case.person.id)
            .expect("exports");
        let text = export.to_string();
        assert!(text.contains("Mira Example"));
        assert!(text.contains("Mira asked us to stop"));
        assert!(text.contains("Mira's form"));
        assert_eq!(export["consents"].as_array().map(Vec::len), Some(1));

        // Erasure.
        assert!(matches!(
            core.erase_person(&manager, case.person.id, " "),
            Err(CoreError::Validation(_))
        ));
        let report = core
            .erase_person(&manager, case.person.id, "erasure request, UK GDPR Art. 17")
            .expect("erases");
        assert_eq!(report.cases, vec![case.id]);
        assert_eq!(report.documents_removed, 1);
        let person = core
            .person(&manager, case.person.id)
            .expect("tombstone stays");
        assert!(person.details.is_none());
        assert_eq!(
            person.erased.as_ref().map(|e| e.by.as_str()),
            Some("manager")
        );
        assert!(matches!(
            core.document(&manager, doc.id),
            Err(CoreError::Refused(_))
        ));
        let timeline = core.timeline(&manager, case.id).expect("timeline stays");
        assert!(timeline.iter().all(|t| t.reason.is_none()));
        assert_eq!(timeline.len(), 3, "events and the document entry remain");
        let after = core
            .export_person(&manager, case.person.id)
            .expect("exports")
            .to_string();
        assert!(!after.contains("Mira"));
        assert!(matches!(
            core.erase_person(&manager, case.person.id, "again"),
            Err(CoreError::Refused(_))
        ));
        // The audit chain still verifies and names the erasure.
        let admin = role(Role::Admin);
        assert!(
            core.verify_audit(&admin)
                .expect("verifies")
                .first_bad
                .is_none()
        );
        let entries = core.audit_entries(&admin, 0, 1000).expect("entries");
        assert!(entries.iter().any(|e| e.record.action == "person.erase"));
    }
}
