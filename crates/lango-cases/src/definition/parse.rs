//! From YAML text to a checked [`Definition`]: serde reports syntax, type and
//! unknown-key errors with its own line; the semantic checks use a path → line index.

use super::lines::Lines;
use super::model::DefinitionFile;
use super::{check, Definition, DefinitionError};

/// The largest definition file accepted, so an upload cannot exhaust the server.
pub const MAX_YAML_BYTES: usize = 256 * 1024;

/// Parses and checks a definition.
pub(crate) fn parse(yaml: &str) -> Result<Definition, Vec<DefinitionError>> {
    if yaml.len() > MAX_YAML_BYTES {
        return Err(vec![DefinitionError {
            line: None,
            path: String::new(),
            message: format!(
                "the file is {} KiB; a definition may be at most {} KiB",
                yaml.len().div_ceil(1024),
                MAX_YAML_BYTES / 1024
            ),
        }]);
    }
    let de = serde_yaml_ng::Deserializer::from_str(yaml);
    let file: DefinitionFile = match serde_path_to_error::deserialize(de) {
        Ok(f) => f,
        Err(e) => {
            let path = e.path().to_string();
            let path = if path == "." { String::new() } else { path };
            // A syntax error inside a key leaves a `?` segment: name the parent.
            let path = path
                .trim_end_matches(".?")
                .trim_end_matches('?')
                .to_string();
            let inner = e.into_inner();
            let line = inner
                .location()
                .map(|l| l.line())
                .or_else(|| Lines::build(yaml).line(&path));
            let text = inner.to_string();
            // serde_yaml_ng starts with its own path (the parent, for an unknown key).
            let (own, rest) = match text.split_once(": ") {
                Some((p, r)) if !p.is_empty() && !p.contains(char::is_whitespace) => (Some(p), r),
                _ => (None, text.as_str()),
            };
            let path = match own {
                Some(p) if rest.starts_with("unknown field") => p.to_string(),
                _ => path,
            };
            return Err(vec![DefinitionError {
                line,
                message: clean(rest),
                path,
            }]);
        }
    };
    let lines = Lines::build(yaml);
    let idx = check::check(&file, &lines)?;
    Ok(Definition { file, idx })
}

/// serde's message without the place (given separately) and in plainer words.
fn clean(message: &str) -> String {
    // " at line 3 column 12" is said by `line`; drop it wherever it stands.
    let mut m = message.trim().to_string();
    if let Some(at) = m.find(" at line ") {
        let rest = &m[at + 9..];
        let mut end = rest.find(" column ").map_or(0, |c| c + 8);
        end += rest[end..]
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len() - end);
        if end > 0 {
            m = format!("{}{}", &m[..at], &rest[end..]);
        }
    }
    let m = m
        .replace(
            "EOF while parsing a value",
            "the file is empty or ends too soon",
        )
        .replace("unknown field", "unknown key")
        .replace("missing field", "missing key");
    if m.starts_with("invalid type: unit value, expected struct DefinitionFile") {
        return "the file is empty".into();
    }
    m
}
