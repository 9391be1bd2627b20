//! One error type for domain operations, with a stable machine code for each kind.
//!
//! The policy: domain crates return [`Error`]; the web crate maps each kind to one HTTP
//! status and the `{"error":{"code","message"}}` body. Database faults are logged in
//! full on the server and reported to the caller only as `internal`.

/// A domain operation's failure.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// The caller's input was refused; `field` names what was wrong.
    #[error("{message}")]
    Invalid { field: String, message: String },
    /// The object asked for does not exist (or is not visible to the caller).
    #[error("{0} not found")]
    NotFound(String),
    /// The caller may not do this (the policy refused).
    #[error("{0}")]
    Forbidden(String),
    /// The request conflicts with the current state.
    #[error("{0}")]
    Conflict(String),
    /// A conflict callers tell apart by its own code (`slot_full`, `already_booked`).
    #[error("{message}")]
    Clash {
        /// The machine code, sent as the error's `code`.
        code: &'static str,
        /// What happened, for people.
        message: String,
    },
    /// The store failed; never the caller's fault.
    #[error("database error: {0}")]
    Database(#[from] sqlx::Error),
    /// A fault inside Lango other than the database.
    #[error("internal error: {0}")]
    Internal(String),
}

impl Error {
    /// Shorthand for an [`Error::Invalid`] naming `field`.
    pub fn invalid(field: impl Into<String>, message: impl Into<String>) -> Self {
        Error::Invalid {
            field: field.into(),
            message: message.into(),
        }
    }

    /// The stable machine-readable code callers can match on.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Invalid { .. } => "invalid_request",
            Error::NotFound(_) => "not_found",
            Error::Forbidden(_) => "forbidden",
            Error::Conflict(_) => "conflict",
            Error::Clash { code, .. } => code,
            Error::Database(_) | Error::Internal(_) => "internal",
        }
    }
}

/// Result of a domain operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;
