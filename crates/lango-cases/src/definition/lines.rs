//! Where each part of a YAML file starts: path (`pages[2].fields[0].pattern`) → line.
//!
//! serde gives lines only for errors it finds itself; the checks that come after
//! deserialising need the line of the node they complain about, so the text is read a
//! second time as marked parser events.

use std::collections::HashMap;
use yaml_rust2::parser::{Event, MarkedEventReceiver, Parser};
use yaml_rust2::scanner::Marker;

/// Path → 1-based line of each key and sequence item in a YAML text.
#[derive(Debug, Clone, Default)]
pub struct Lines {
    map: HashMap<String, usize>,
}

enum Frame {
    Map { path: String, key: Option<String> },
    Seq { path: String, index: usize },
}

struct Recv {
    stack: Vec<Frame>,
    map: HashMap<String, usize>,
}

fn join(parent: &str, key: &str) -> String {
    if parent.is_empty() {
        key.to_string()
    } else {
        format!("{parent}.{key}")
    }
}

impl Recv {
    /// The path of a node starting now, recording its line; `None` when it is a map key.
    fn node(&mut self, scalar: Option<&str>, line: usize) -> Option<String> {
        let path = match self.stack.last_mut() {
            None => String::new(),
            Some(Frame::Seq { path, index }) => {
                let p = format!("{path}[{index}]");
                *index += 1;
                p
            }
            Some(Frame::Map { path, key }) => match key.take() {
                Some(k) => join(path, &k),
                None => {
                    // A key: remember it and its line; complex keys get a placeholder.
                    let k = scalar.unwrap_or("?").to_string();
                    self.map.entry(join(path, &k)).or_insert(line);
                    *key = Some(k);
                    return None;
                }
            },
        };
        self.map.entry(path.clone()).or_insert(line);
        Some(path)
    }
}

impl MarkedEventReceiver for Recv {
    fn on_event(&mut self, ev: Event, mark: Marker) {
        let line = mark.line();
        match ev {
            Event::Scalar(s, ..) => {
                self.node(Some(&s), line);
            }
            Event::Alias(_) => {
                self.node(Some("*"), line);
            }
            Event::MappingStart(..) => {
                let path = self.node(None, line).unwrap_or_default();
                self.stack.push(Frame::Map { path, key: None });
            }
            Event::SequenceStart(..) => {
                let path = self.node(None, line).unwrap_or_default();
                self.stack.push(Frame::Seq { path, index: 0 });
            }
            Event::MappingEnd | Event::SequenceEnd => {
                self.stack.pop();
            }
            _ => {}
        }
    }
}

impl Lines {
    /// Reads a YAML text; a syntax error just ends the index where it stands.
    pub fn build(yaml: &str) -> Lines {
        let mut recv = Recv {
            stack: Vec::new(),
            map: HashMap::new(),
        };
        let _ = Parser::new_from_str(yaml).load(&mut recv, false);
        Lines { map: recv.map }
    }

    /// The line of a path, or of its nearest ancestor that is in the file.
    pub fn line(&self, path: &str) -> Option<usize> {
        let mut p = path;
        loop {
            if let Some(l) = self.map.get(p) {
                return Some(*l);
            }
            let cut = p.rfind(['.', '['])?;
            p = &p[..cut];
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Lines;

    #[test]
    fn paths_have_their_lines() {
        let yaml = "service: X\npages:\n  - id: a\n    fields:\n      - id: f\n        type: text\n      - id: g\n        pattern: \"(\"\nworkflow:\n  start: s\n";
        let l = Lines::build(yaml);
        assert_eq!(l.line("service"), Some(1));
        assert_eq!(l.line("pages"), Some(2));
        assert_eq!(l.line("pages[0]"), Some(3));
        assert_eq!(l.line("pages[0].id"), Some(3));
        assert_eq!(l.line("pages[0].fields[1].pattern"), Some(8));
        assert_eq!(l.line("pages[0].fields[1].label"), Some(7));
        assert_eq!(l.line("workflow.start"), Some(10));
        assert_eq!(l.line("nothing.here"), None);
    }
}
