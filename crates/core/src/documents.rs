//! Documents attached to a case — signed consent forms, police and court papers, identity
//! documents — sealed under the person's key like the rest of their data, with a size limit, a
//! declared type checked against the content, and a SHA-256 checksum verified on every read.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::auth::Operation;
use crate::cases::{Case, TimelineEntry};
use crate::error::{CoreError, FieldError, Result};
use crate::records::{self, Record};
use crate::sealed::Sealed;
use crate::unchain::Unchain;
use crate::users::Actor;
use crate::validate::{check, not_future, required};

/// The largest document accepted, in bytes (10 MiB: a scanned multi-page form).
pub const MAX_DOCUMENT_BYTES: usize = 10 * 1024 * 1024;

/// The media types accepted. Checked against the content's leading bytes where the format has a
/// signature, so a mislabelled file is refused rather than served back under the wrong type.
pub const MEDIA_TYPES: &[&str] = &[
    "application/pdf",
    "image/jpeg",
    "image/png",
    "text/plain",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
];

/// What a document is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DocumentKind {
    /// A signed consent form.
    ConsentForm,
    /// Police papers (crime report, statement).
    PolicePaper,
    /// Court papers.
    CourtPaper,
    /// An identity document (passport, residence permit).
    IdentityDocument,
    /// NRM correspondence (decision letters).
    NrmLetter,
    /// Medical or other assessments.
    Assessment,
    /// Anything else.
    Other,
}

/// A document as stored.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Document {
    /// The case it belongs to.
    pub case_id: Uuid,
    /// The person it is about (whose key seals it).
    pub person_id: Uuid,
    /// What it is.
    pub kind: DocumentKind,
    /// The document's date (e.g. when signed).
    pub date: NaiveDate,
    /// Its media type.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256 of the content, hex.
    pub sha256: String,
    /// The title (may name people), sealed.
    pub title: Option<Sealed>,
    /// The content, sealed; `None` once the person is erased.
    pub content: Option<Sealed>,
    /// Who attached it.
    pub attached_by: String,
    /// When.
    pub attached_at: DateTime<Utc>,
}

impl Record for Document {
    const COLLECTION: &'static str = "documents";
    const KIND: &'static str = "document";

    fn case_id(&self) -> Option<Uuid> {
        Some(self.case_id)
    }

    fn person_id(&self) -> Option<Uuid> {
        Some(self.person_id)
    }
}

/// A document to attach.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct NewDocument {
    /// What it is.
    pub kind: DocumentKind,
    /// A title ("Consent form signed at first meeting").
    pub title: String,
    /// The document's date; defaults to today.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<NaiveDate>,
    /// One of [`MEDIA_TYPES`].
    pub media_type: String,
    /// The content (base64 in JSON).
    #[serde(with = "base64_bytes")]
    #[cfg_attr(feature = "openapi", schema(value_type = String, format = Byte))]
    pub content: Vec<u8>,
}

impl std::fmt::Debug for NewDocument {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("NewDocument")
            .field("kind", &self.kind)
            .field("media_type", &self.media_type)
            .field("size", &self.content.len())
            .finish_non_exhaustive()
    }
}

mod base64_bytes {
    use base64::Engine as _;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(bytes: &[u8], s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&base64::engine::general_purpose::STANDARD.encode(bytes))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<u8>, D::Error> {
        let text = String::deserialize(d)?;
        base64::engine::general_purpose::STANDARD
            .decode(text.as_bytes())
            .map_err(|e| serde::de::Error::custom(format!("content is not base64: {e}")))
    }
}

/// A document's description, without its content.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DocumentMeta {
    /// The document id.
    pub id: Uuid,
    /// The case.
    pub case_id: Uuid,
    /// What it is.
    pub kind: DocumentKind,
    /// Its title (`None` once erased).
    pub title: Option<String>,
    /// Its date.
    pub date: NaiveDate,
    /// Media type.
    pub media_type: String,
    /// Size in bytes.
    pub size: u64,
    /// SHA-256, hex.
    pub sha256: String,
    /// Whether the content was erased.
    pub erased: bool,
    /// Who attached it.
    pub attached_by: String,
    /// When.
    pub attached_at: DateTime<Utc>,
}

fn signature_ok(media_type: &str, content: &[u8]) -> bool {
    match media_type {
        "application/pdf" => content.starts_with(b"%PDF-"),
        "image/png" => content.starts_with(b"\x89PNG\r\n\x1a\n"),
        "image/jpeg" => content.starts_with(&[0xFF, 0xD8, 0xFF]),
        "text/plain" => std::str::from_utf8(content).is_ok(),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document" => {
            content.starts_with(b"PK\x03\x04")
        }
        _ => false,
    }
}

impl Unchain {
    /// Attaches a document to a case, sealed under the case person's key.
    pub fn attach_document(
        &self,
        actor: &Actor,
        case_id: Uuid,
        new: NewDocument,
    ) -> Result<DocumentMeta> {
        self.authorize(actor, Operation::DocumentManage)?;
        let today = self.clock.today();
        let date = new.date.unwrap_or(today);
        let mut errors = Vec::new();
        required(&mut errors, "title", &new.title, 300);
        not_future(&mut errors, "date", date, today);
        if new.content.is_empty() {
            errors.push(FieldError::new("content", "is empty"));
        } else if new.content.len() > MAX_DOCUMENT_BYTES {
            errors.push(FieldError::new(
                "content",
                format!(
                    "is {} bytes; the limit is {MAX_DOCUMENT_BYTES}",
                    new.content.len()
                ),
            ));
        }
        if !MEDIA_TYPES.contains(&new.media_type.as_str()) {
            errors.push(FieldError::new(
                "media_type",
                format!(
                    "{:?} is not one of {}",
                    new.media_type,
                    MEDIA_TYPES.join(", ")
                ),
            ));
        } else if !new.content.is_empty() && !signature_ok(&new.media_type, &new.content) {
            errors.push(FieldError::new(
                "content",
                format!("does not look like {}", new.media_type),
            ));
        }
        check(errors)?;
        let case = records::load::<Case>(self.backend.as_ref(), case_id)?;
        let person_id = case.data.person_id;
        let id = Uuid::now_v7();
        let doc = Document {
            case_id,
            person_id,
            kind: new.kind,
            date,
            media_type: new.media_type.clone(),
            size: new.content.len() as u64,
            sha256: hex::encode(Sha256::digest(&new.content)),
            title: Some(self.seal(person_id, Document::KIND, id, "title", &new.title)?),
            content: Some(self.seal_bytes(
                person_id,
                Document::KIND,
                id,
                "content",
                &new.content,
            )?),
            attached_by: actor.name.clone(),
            attached_at: self.clock.now(),
        };
        self.write(actor, Operation::DocumentManage, |backend, batch| {
            let case = records::load::<Case>(backend, case_id)?;
            records::stage_check(batch, &case);
            records::stage_put(batch, id, &doc, None)?;
            Ok((
                (),
                vec![
                    records::target::<Document>(id),
                    records::target::<Case>(case_id),
                ],
            ))
        })?;
        Ok(self.document_meta(id, &doc, Some(new.title)))
    }

    fn document_meta(&self, id: Uuid, d: &Document, title: Option<String>) -> DocumentMeta {
        DocumentMeta {
            id,
            case_id: d.case_id,
            kind: d.kind,
            title,
            date: d.date,
            media_type: d.media_type.clone(),
            size: d.size,
            sha256: d.sha256.clone(),
            erased: d.content.is_none(),
            attached_by: d.attached_by.clone(),
            attached_at: d.attached_at,
        }
    }

    /// The documents of a case (descriptions only), oldest first.
    pub fn documents(&self, actor: &Actor, case_id: Uuid) -> Result<Vec<DocumentMeta>> {
        self.authorize(actor, Operation::DocumentManage)?;
        records::load::<Case>(self.backend.as_ref(), case_id)?;
        let docs = crate::index::of_case::<Document>(self.backend.as_ref(), case_id)?;
        let mut out = Vec::with_capacity(docs.len());
        for d in docs {
            let title = match &d.data.title {
                Some(t) => self.unseal::<String>(t, Document::KIND, d.id, "title")?,
                None => None,
            };
            out.push(self.document_meta(d.id, &d.data, title));
        }
        if !out.is_empty() {
            self.audit_read(
                actor,
                Operation::DocumentManage,
                &[records::target::<Case>(case_id)],
            )?;
        }
        Ok(out)
    }

    /// A document's content, checked against its checksum. The read is audited.
    pub fn document(&self, actor: &Actor, id: Uuid) -> Result<(DocumentMeta, Vec<u8>)> {
        self.authorize(actor, Operation::DocumentManage)?;
        let d = records::load::<Document>(self.backend.as_ref(), id)?;
        let content = match &d.data.content {
            Some(c) => self.unseal_bytes(c, Document::KIND, id, "content")?,
            None => None,
        }
        .ok_or_else(|| CoreError::Refused(format!("document {id} was erased with its person")))?;
        if hex::encode(Sha256::digest(&content)) != d.data.sha256 {
            return Err(CoreError::Store(unchain_store::StoreError::Corrupt(
                format!("document {id} does not match its checksum"),
            )));
        }
        let title = match &d.data.title {
            Some(t) => self.unseal::<String>(t, Document::KIND, id, "title")?,
            None => None,
        };
        self.audit_read(
            actor,
            Operation::DocumentManage,
            &[records::target::<Document>(id)],
        )?;
        Ok((self.document_meta(id, &d.data, title), content))
    }

    /// Timeline entries for a case's documents (no titles: the timeline is read more widely).
    pub(crate) fn document_timeline(&self, case_id: Uuid) -> Result<Vec<TimelineEntry>> {
        Ok(
            crate::index::of_case::<Document>(self.backend.as_ref(), case_id)?
                .into_iter()
                .map(|d| TimelineEntry {
                    date: d.data.date,
                    recorded_at: d.data.attached_at,
                    recorded_by: d.data.attached_by.clone(),
                    description: format!(
                        "{}: document attached ({:?}, {} bytes)",
                        d.data.date, d.data.kind, d.data.size
                    ),
                    event: None,
                    reason: None,
                })
                .collect(),
        )
    }
}
