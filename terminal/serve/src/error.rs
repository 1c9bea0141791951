//! [`ServeError`]: what a request or the service can fail with, and its HTTP answer. Card and
//! library errors keep their national code so pages can react to each.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::json;

/// Everything the service can fail with.
#[derive(Debug, thiserror::Error)]
pub enum ServeError {
    /// A listen address that is not loopback (or not an address at all).
    #[error("refusing to listen on {addr}: {reason}")]
    Bind {
        /// The address as given.
        addr: String,
        /// Why.
        reason: String,
    },
    /// The configuration file is unreadable or invalid.
    #[error("configuration {path}: {reason}")]
    Config {
        /// The file.
        path: String,
        /// What is wrong.
        reason: String,
    },
    /// An I/O failure of the service itself (listening, the token file).
    #[error("{context}: {source}")]
    Io {
        /// What was being done.
        context: String,
        /// The error.
        source: std::io::Error,
    },
    /// The request was refused by a check (origin, token, host, rate, size).
    #[error("refused: {0}")]
    Refused(Refusal),
    /// The request is malformed (bad JSON, unknown function, bad item path, bad reader).
    #[error("bad request: {0}")]
    BadRequest(String),
    /// The card, the reader or the library failed.
    #[error(transparent)]
    Card(#[from] sscard_terminal::Error),
    /// A national function failed (its national code and message, `NationalError::code`).
    #[error("{}", .0.message())]
    National(#[from] sscard_terminal::national::NationalError),
    /// A blocking card task could not finish (the service is shutting down).
    #[error("internal: {0}")]
    Internal(String),
}

/// Why a request was refused (the HTTP status and a message that names the check).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum Refusal {
    /// The `Host` header is not this service's loopback address (DNS rebinding).
    #[error("Host header is not a loopback address of this service")]
    Host,
    /// The `Origin` is not on the allow-list (or is `null`).
    #[error("origin not allowed")]
    Origin,
    /// No bearer token.
    #[error("missing token (Authorization: Bearer …)")]
    NoToken,
    /// A wrong bearer token.
    #[error("wrong token")]
    WrongToken,
    /// Too many requests from this client.
    #[error("rate limit exceeded")]
    Rate,
    /// The request body is larger than the limit.
    #[error("request body too large")]
    TooLarge,
}

impl Refusal {
    /// The HTTP status for this refusal.
    pub fn status(self) -> StatusCode {
        match self {
            Refusal::Host | Refusal::Origin => StatusCode::FORBIDDEN,
            Refusal::NoToken | Refusal::WrongToken => StatusCode::UNAUTHORIZED,
            Refusal::Rate => StatusCode::TOO_MANY_REQUESTS,
            Refusal::TooLarge => StatusCode::PAYLOAD_TOO_LARGE,
        }
    }

    /// A stable machine-readable name (`"origin"`, `"token"`, …).
    pub fn code(self) -> &'static str {
        match self {
            Refusal::Host => "host",
            Refusal::Origin => "origin",
            Refusal::NoToken => "no-token",
            Refusal::WrongToken => "wrong-token",
            Refusal::Rate => "rate",
            Refusal::TooLarge => "too-large",
        }
    }
}

impl ServeError {
    /// The HTTP status of this error.
    pub fn status(&self) -> StatusCode {
        match self {
            ServeError::Refused(r) => r.status(),
            ServeError::BadRequest(_) => StatusCode::BAD_REQUEST,
            ServeError::Card(e) => match e.exit_code() {
                2 => StatusCode::BAD_REQUEST,
                3 => StatusCode::SERVICE_UNAVAILABLE,
                4 | 7 => StatusCode::CONFLICT,
                _ => StatusCode::BAD_GATEWAY,
            },
            ServeError::National(_) => StatusCode::CONFLICT,
            _ => StatusCode::INTERNAL_SERVER_ERROR,
        }
    }

    /// The national read-card interface's code for this error (0 is success, so never 0).
    pub fn national_code(&self) -> i32 {
        match self {
            ServeError::Card(e) => e.national_code(),
            ServeError::National(e) => i32::try_from(e.code()).unwrap_or(-13),
            ServeError::BadRequest(_) | ServeError::Refused(_) => -14,
            _ => -13,
        }
    }
}

impl IntoResponse for ServeError {
    fn into_response(self) -> Response {
        let kind = match &self {
            ServeError::Refused(r) => r.code(),
            ServeError::BadRequest(_) => "bad-request",
            ServeError::Card(_) | ServeError::National(_) => "card",
            _ => "internal",
        };
        let mut error =
            json!({ "kind": kind, "message": self.to_string(), "code": self.national_code() });
        match &self {
            ServeError::Card(sscard_terminal::Error::WrongPin { tries_left }) => {
                error["tries_left"] = json!(tries_left);
            }
            ServeError::Card(sscard_terminal::Error::Blocked) => error["tries_left"] = json!(0),
            _ => {}
        }
        let body = json!({ "error": error });
        (self.status(), Json(body)).into_response()
    }
}
