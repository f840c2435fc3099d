//! Errors as `application/problem+json` (RFC 9457), and the one place that maps the core's errors
//! and axum's extractor rejections to statuses. Nothing a client can cause becomes a 500: the
//! store's own failures are the only 5xx, and their words are logged, not sent.

use axum::extract::rejection::{JsonRejection, PathRejection, QueryRejection};
use axum::extract::{FromRequest, FromRequestParts, Request};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use unchain_core::CoreError;
use unchain_core::store::StoreError;

/// The media type of every error body.
pub const PROBLEM_JSON: &str = "application/problem+json";

/// One failing field, as in the core's `FieldError`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct ProblemField {
    /// The field's path in the request (`person.date_of_birth`, `body`, `query.limit`).
    pub field: String,
    /// Why it was refused.
    pub reason: String,
}

/// An RFC 9457 problem: the body of every 4xx and 5xx answer.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
pub struct Problem {
    /// A URI naming the kind of problem (`urn:unchain:problem:validation`, …).
    #[serde(rename = "type")]
    pub kind: String,
    /// The kind in words; the same for every problem of that type.
    pub title: String,
    /// The HTTP status.
    pub status: u16,
    /// What went wrong this time (never personal data, never a token).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// For validation problems: every failing field.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
}

/// An error answer: a status and its problem.
#[derive(Clone, Debug)]
pub struct ApiError {
    status: StatusCode,
    problem: Problem,
}

impl ApiError {
    /// A problem of `slug` with `status`, a fixed title and this time's detail.
    pub fn new(status: StatusCode, slug: &str, title: &str, detail: impl Into<String>) -> Self {
        let detail = detail.into();
        Self {
            status,
            problem: Problem {
                kind: format!("urn:unchain:problem:{slug}"),
                title: title.to_owned(),
                status: status.as_u16(),
                detail: (!detail.is_empty()).then_some(detail),
                errors: Vec::new(),
            },
        }
    }

    /// A validation problem naming every failing field.
    pub fn validation(errors: Vec<ProblemField>) -> Self {
        let detail = errors
            .iter()
            .map(|e| format!("{}: {}", e.field, e.reason))
            .collect::<Vec<_>>()
            .join("; ");
        let mut e = Self::new(
            StatusCode::UNPROCESSABLE_ENTITY,
            "validation",
            "The request is not valid",
            detail,
        );
        e.problem.errors = errors;
        e
    }

    /// One bad field.
    pub fn field(field: &str, reason: impl Into<String>) -> Self {
        Self::validation(vec![ProblemField {
            field: field.to_owned(),
            reason: reason.into(),
        }])
    }

    /// 400 for a malformed request part (query string, path, header).
    pub fn bad_request(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::BAD_REQUEST,
            "bad-request",
            "The request is malformed",
            detail,
        )
    }

    /// 401, with the challenge the client should answer.
    pub fn unauthorized(detail: impl Into<String>) -> Self {
        Self::new(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "A valid bearer token is required",
            detail,
        )
    }

    /// 404 for a path that is not an endpoint.
    pub fn no_route() -> Self {
        Self::new(
            StatusCode::NOT_FOUND,
            "no-such-endpoint",
            "There is no such endpoint",
            "see /api/v1/openapi.json for the endpoints",
        )
    }

    /// The status.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The problem.
    pub fn problem(&self) -> &Problem {
        &self.problem
    }

    /// Turns a version conflict into 412 when the version came from `If-Match`.
    pub fn precondition(mut self, from_if_match: bool) -> Self {
        if from_if_match && self.status == StatusCode::CONFLICT {
            self.status = StatusCode::PRECONDITION_FAILED;
            self.problem.status = 412;
            self.problem.kind = "urn:unchain:problem:precondition-failed".into();
            self.problem.title = "If-Match does not match the current version".into();
        }
        self
    }
}

impl From<CoreError> for ApiError {
    fn from(err: CoreError) -> Self {
        match err {
            CoreError::NotFound { .. } => Self::new(
                StatusCode::NOT_FOUND,
                "not-found",
                "Not found",
                err.to_string(),
            ),
            CoreError::Forbidden { .. } => Self::new(
                StatusCode::FORBIDDEN,
                "forbidden",
                "Your role does not allow this",
                err.to_string(),
            ),
            CoreError::Validation(fields) => Self::validation(
                fields
                    .into_iter()
                    .map(|f| ProblemField {
                        field: f.field,
                        reason: f.reason,
                    })
                    .collect(),
            ),
            CoreError::Conflict { .. } => Self::new(
                StatusCode::CONFLICT,
                "conflict",
                "The record has changed since you read it",
                err.to_string(),
            ),
            CoreError::Refused(reason) => Self::new(
                StatusCode::UNPROCESSABLE_ENTITY,
                "refused",
                "A rule of the work refuses this",
                reason,
            ),
            CoreError::Store(StoreError::InUse { .. }) => Self::new(
                StatusCode::SERVICE_UNAVAILABLE,
                "unavailable",
                "The store is not available",
                "",
            ),
            CoreError::Store(StoreError::Conflict { .. }) => Self::new(
                StatusCode::CONFLICT,
                "conflict",
                "The record has changed since you read it",
                "a concurrent change won; read again and retry",
            ),
            CoreError::Store(e) => {
                // Store errors carry paths and keys, never personal data; the client gets none of it.
                tracing::error!(error = %e, "store failure");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "The server failed",
                    "the failure is logged with this request's id",
                )
            }
            // The core's error is non-exhaustive in spirit: anything new is a server fault until
            // it is mapped here.
            #[allow(unreachable_patterns)]
            other => {
                tracing::error!(error = %other, "unmapped core error");
                Self::new(
                    StatusCode::INTERNAL_SERVER_ERROR,
                    "internal",
                    "The server failed",
                    "",
                )
            }
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let body = serde_json::to_vec(&self.problem).unwrap_or_default();
        let mut res = (self.status, body).into_response();
        let headers = res.headers_mut();
        headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(PROBLEM_JSON));
        if self.status == StatusCode::UNAUTHORIZED {
            headers.insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"unchain\""),
            );
        }
        res
    }
}

/// A JSON body whose rejections are problems: 415 without `Content-Type: application/json`, 400
/// for malformed JSON, 413 over the body limit, 422 for wrong types, missing or unknown fields.
pub struct JsonBody<T>(pub T);

impl<S, T> FromRequest<S> for JsonBody<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        match axum::Json::<T>::from_request(req, state).await {
            Ok(axum::Json(v)) => Ok(Self(v)),
            Err(rejection) => Err(json_rejection(rejection)),
        }
    }
}

fn json_rejection(rejection: JsonRejection) -> ApiError {
    match rejection {
        JsonRejection::MissingJsonContentType(_) => ApiError::new(
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "unsupported-media-type",
            "The body must be JSON",
            "send Content-Type: application/json",
        ),
        JsonRejection::JsonSyntaxError(e) => ApiError::new(
            StatusCode::BAD_REQUEST,
            "malformed-json",
            "The body is not well-formed JSON",
            serde_message(&e.body_text()),
        ),
        JsonRejection::JsonDataError(e) => {
            // axum reports the failing path (`person.names[0]: invalid type …`) before the reason.
            let message = serde_message(&e.body_text());
            match message.split_once(": ") {
                Some((path, reason)) if !path.contains(' ') => ApiError::field(path, reason),
                _ => ApiError::field("body", message),
            }
        }
        JsonRejection::BytesRejection(e) => {
            let status = e.status();
            if status == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(
                    status,
                    "too-large",
                    "The body is over the size limit",
                    format!("the limit is {} bytes", crate::BODY_LIMIT),
                )
            } else {
                ApiError::bad_request("the body could not be read")
            }
        }
        other => ApiError::bad_request(other.body_text()),
    }
}

/// serde's message without axum's prefix; it may quote the caller's own input back to them (to
/// the same caller, over the same connection), but it is never logged.
fn serde_message(text: &str) -> String {
    text.split_once(": ")
        .map_or(text, |(_, rest)| rest)
        .to_owned()
}

/// A query string whose rejections are 400 problems.
pub struct Query<T>(pub T);

impl<S, T> FromRequestParts<S> for Query<T>
where
    T: DeserializeOwned,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Query::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Query(v)) => Ok(Self(v)),
            Err(QueryRejection::FailedToDeserializeQueryString(e)) => {
                Err(ApiError::bad_request(serde_message(&e.body_text())))
            }
            Err(e) => Err(ApiError::bad_request(e.body_text())),
        }
    }
}

/// Path parameters whose rejections are 400 problems (e.g. an id that is not a uuid).
pub struct Path<T>(pub T);

impl<S, T> FromRequestParts<S> for Path<T>
where
    T: DeserializeOwned + Send,
    S: Send + Sync,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        match axum::extract::Path::<T>::from_request_parts(parts, state).await {
            Ok(axum::extract::Path(v)) => Ok(Self(v)),
            Err(PathRejection::FailedToDeserializePathParams(e)) => {
                Err(ApiError::bad_request(serde_message(&e.body_text())))
            }
            Err(e) => Err(ApiError::bad_request(e.body_text())),
        }
    }
}
