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
    /// A refusal a domain crate names by its own stable code (as `lango_centres::Refusal`),
    /// so pages can word it in the reader's language; the API answers it as the plain error
    /// [`Refusal::as_error`] gives (same code, status and English words).
    #[error("{}", .0.as_error())]
    Refused(Box<dyn Refusal>),
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
            Error::Refused(r) => r.as_error().code(),
            Error::Database(_) | Error::Internal(_) => "internal",
        }
    }
}

impl Error {
    /// The domain's typed refusal `R` this error carries, if it is one (pages word it).
    pub fn refusal<R: Refusal>(&self) -> Option<&R> {
        match self {
            Error::Refused(r) => r.as_any().downcast_ref(),
            _ => None,
        }
    }

    /// A refusal as the plain error it stands for (to match on its kind); others as they are.
    pub fn plain(self) -> Error {
        match self {
            Error::Refused(r) => r.as_error(),
            e => e,
        }
    }
}

/// A domain crate's typed refusal, carried by [`Error::Refused`] (which shows as its plain error).
pub trait Refusal: std::fmt::Display + std::fmt::Debug + Send + Sync + 'static {
    /// The plain error it stands for in the API: its code, status and English words.
    fn as_error(&self) -> Error;
    /// Itself, so [`Error::refusal`] can find the domain's own type.
    fn as_any(&self) -> &dyn std::any::Any;
}

/// Result of a domain operation.
pub type Result<T, E = Error> = std::result::Result<T, E>;
