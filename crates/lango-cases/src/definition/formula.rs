//! The fee formula language: numbers, field ids, `+ - * /`, brackets, `min(a, b)`,
//! `max(a, b)`. Parsed once when the definition is checked; evaluated exactly in
//! fixed point, never with floats.

use super::values::Dec;

/// The longest formula accepted, in bytes.
const MAX_LEN: usize = 500;
/// The deepest nesting of brackets and calls.
const MAX_DEPTH: usize = 32;

/// A parsed formula.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Expr {
    /// A literal.
    Num(Dec),
    /// The answer to a field.
    Field(String),
    /// `-a`.
    Neg(Box<Expr>),
    /// `a op b` with op one of `+ - * /`.
    Bin(u8, Box<Expr>, Box<Expr>),
    /// `min(a, b)` (`true`) or `max(a, b)` (`false`).
    MinMax(bool, Box<Expr>, Box<Expr>),
}

/// Why a formula could not be worked out for some answers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Fault {
    /// A field it names has no (numeric) answer.
    Unanswered(String),
    /// Division by zero or a result too large.
    Arithmetic,
}

struct P<'a> {
    s: &'a [u8],
    i: usize,
    depth: usize,
}

impl Expr {
    /// Parses a formula, or says what is wrong with it.
    pub(crate) fn parse(src: &str) -> Result<Expr, String> {
        if src.len() > MAX_LEN {
            return Err(format!("the formula is longer than {MAX_LEN} characters"));
        }
        let mut p = P {
            s: src.as_bytes(),
            i: 0,
            depth: 0,
        };
        let e = p.sum()?;
        p.ws();
        if p.i < p.s.len() {
            return Err(format!(
                "unexpected `{}` at character {}",
                p.s[p.i] as char,
                p.i + 1
            ));
        }
        Ok(e)
    }

    /// The field ids it names, in order of first use.
    pub(crate) fn fields(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.collect(&mut out);
        out
    }

    fn collect(&self, out: &mut Vec<String>) {
        match self {
            Expr::Num(_) => {}
            Expr::Field(f) => {
                if !out.contains(f) {
                    out.push(f.clone());
                }
            }
            Expr::Neg(a) => a.collect(out),
            Expr::Bin(_, a, b) | Expr::MinMax(_, a, b) => {
                a.collect(out);
                b.collect(out);
            }
        }
    }

    /// Works the formula out, looking answers up with `value`.
    pub(crate) fn eval(&self, value: &dyn Fn(&str) -> Option<Dec>) -> Result<Dec, Fault> {
        Ok(match self {
            Expr::Num(d) => *d,
            Expr::Field(f) => value(f).ok_or_else(|| Fault::Unanswered(f.clone()))?,
            Expr::Neg(a) => Dec(0).sub(a.eval(value)?).ok_or(Fault::Arithmetic)?,
            Expr::Bin(op, a, b) => {
                let (a, b) = (a.eval(value)?, b.eval(value)?);
                match op {
                    b'+' => a.add(b),
                    b'-' => a.sub(b),
                    b'*' => a.mul(b),
                    _ => a.div(b),
                }
                .ok_or(Fault::Arithmetic)?
            }
            Expr::MinMax(is_min, a, b) => {
                let (a, b) = (a.eval(value)?, b.eval(value)?);
                if *is_min {
                    a.min(b)
                } else {
                    a.max(b)
                }
            }
        })
    }
}

impl P<'_> {
    fn ws(&mut self) {
        while self.i < self.s.len() && self.s[self.i].is_ascii_whitespace() {
            self.i += 1;
        }
    }

    fn peek(&mut self) -> Option<u8> {
        self.ws();
        self.s.get(self.i).copied()
    }

    fn expect(&mut self, c: u8) -> Result<(), String> {
        if self.peek() == Some(c) {
            self.i += 1;
            Ok(())
        } else {
            Err(format!(
                "expected `{}` at character {}",
                c as char,
                self.i + 1
            ))
        }
    }

    fn sum(&mut self) -> Result<Expr, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("the formula is nested too deeply".into());
        }
        let mut e = self.product()?;
        while let Some(op @ (b'+' | b'-')) = self.peek() {
            self.i += 1;
            e = Expr::Bin(op, Box::new(e), Box::new(self.product()?));
        }
        self.depth -= 1;
        Ok(e)
    }

    fn product(&mut self) -> Result<Expr, String> {
        let mut e = self.unary()?;
        while let Some(op @ (b'*' | b'/')) = self.peek() {
            self.i += 1;
            e = Expr::Bin(op, Box::new(e), Box::new(self.unary()?));
        }
        Ok(e)
    }

    fn unary(&mut self) -> Result<Expr, String> {
        if self.peek() == Some(b'-') {
            self.i += 1;
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err("the formula is nested too deeply".into());
            }
            let e = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Neg(Box::new(e)));
        }
        self.atom()
    }

    fn atom(&mut self) -> Result<Expr, String> {
        let start = self.i;
        match self.peek() {
            Some(b'(') => {
                self.i += 1;
                let e = self.sum()?;
                self.expect(b')')?;
                Ok(e)
            }
            Some(c) if c.is_ascii_digit() => {
                let start = self.i;
                while self.i < self.s.len()
                    && (self.s[self.i].is_ascii_digit() || self.s[self.i] == b'.')
                {
                    self.i += 1;
                }
                let text = std::str::from_utf8(&self.s[start..self.i]).unwrap_or("");
                Dec::parse(text)
                    .map(Expr::Num)
                    .ok_or_else(|| format!("`{text}` is not a number (at most 6 decimals)"))
            }
            Some(c) if c.is_ascii_lowercase() => {
                let start = self.i;
                while self.i < self.s.len()
                    && (self.s[self.i].is_ascii_lowercase()
                        || self.s[self.i].is_ascii_digit()
                        || self.s[self.i] == b'_')
                {
                    self.i += 1;
                }
                let name = std::str::from_utf8(&self.s[start..self.i])
                    .unwrap_or("")
                    .to_string();
                if (name == "min" || name == "max") && self.peek() == Some(b'(') {
                    self.i += 1;
                    let a = self.sum()?;
                    self.expect(b',')?;
                    let b = self.sum()?;
                    self.expect(b')')?;
                    return Ok(Expr::MinMax(name == "min", Box::new(a), Box::new(b)));
                }
                Ok(Expr::Field(name))
            }
            Some(c) => Err(format!(
                "unexpected `{}` at character {}",
                c as char,
                self.i.max(start) + 1
            )),
            None => Err("the formula ends too soon".into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::{Dec, Expr, Fault};

    fn eval(src: &str, pages: Option<&str>) -> Result<String, Fault> {
        let e = Expr::parse(src).expect("parses");
        e.eval(&|f| {
            if f == "pages" {
                pages.and_then(Dec::parse)
            } else {
                None
            }
        })
        .map(Dec::canonical)
    }

    #[test]
    fn worked_examples() {
        assert_eq!(
            eval("4550 + 50 * (pages - 34)", Some("34")),
            Ok("4550".into())
        );
        assert_eq!(
            eval("4550 + 50 * (pages - 34)", Some("66")),
            Ok("6150".into())
        );
        assert_eq!(
            eval("max(1000, pages * 0.02)", Some("30000")),
            Ok("1000".into())
        );
        assert_eq!(
            eval("max(1000, pages * 0.02)", Some("2500000")),
            Ok("50000".into())
        );
        assert_eq!(eval("min(2, 3) - -1", None), Ok("3".into()));
        assert_eq!(eval("10 / 3", None), Ok("3.333333".into()));
        assert_eq!(eval("2 / 3", None), Ok("0.666667".into()));
        assert_eq!(eval("1 / (pages - 34)", Some("34")), Err(Fault::Arithmetic));
        assert_eq!(eval("pages", None), Err(Fault::Unanswered("pages".into())));
        assert_eq!(
            eval(
                "999999999999999999 * 999999999999999999 * 999999999999",
                None
            ),
            Err(Fault::Arithmetic)
        );
    }

    #[test]
    fn bad_formulas_are_refused() {
        for bad in [
            "",
            "1 +",
            "(1",
            "1 2",
            "max(1)",
            "a $ b",
            "1.2345678",
            "Pages",
            &"(".repeat(40),
        ] {
            assert!(Expr::parse(bad).is_err(), "{bad}");
        }
        assert_eq!(
            Expr::parse("a + min(b, a)").unwrap().fields(),
            vec!["a", "b"]
        );
    }
}
