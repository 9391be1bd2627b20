//! Reading the Fluent files into the table `tr` answers from, and the checks that refuse a
//! broken file at start-up.

use crate::i18n::Lang;
use fluent_bundle::concurrent::FluentBundle;
use fluent_bundle::{FluentArgs, FluentResource, FluentValue};
use fluent_syntax::ast;
use std::collections::{BTreeSet, HashMap};
use std::path::Path;

/// Each language's embedded file, in `Lang::ALL` order; English names the keys there are.
pub(super) const EMBEDDED: [&str; 3] = [
    include_str!("../../words/en.ftl"),
    include_str!("../../words/sw.ftl"),
    include_str!("../../words/ms.ftl"),
];

/// What start-up refuses of the words.
#[derive(Debug, thiserror::Error)]
pub enum WordsError {
    /// A file that could not be read.
    #[error("the words file {file} cannot be read: {error}")]
    Unreadable { file: String, error: std::io::Error },
    /// A file that is not Fluent.
    #[error("the words file {file} is not Fluent at line {line}: {what}")]
    Syntax {
        file: String,
        line: usize,
        what: String,
    },
    /// A key the pages ask for, missing in a language.
    #[error("the word {key} is missing in {lang} ({file})")]
    Missing {
        key: String,
        lang: &'static str,
        file: String,
    },
    /// A value the pages never give.
    #[error("the word {key} in {lang} ({file}) uses ${value}, which its pages do not give (they give: {given})")]
    UnknownValue {
        key: String,
        lang: &'static str,
        file: String,
        value: String,
        given: String,
    },
    /// A word that cannot be written out (a reference to a message that is not there).
    #[error("the word {key} in {lang} ({file}) cannot be written: {what}")]
    Broken {
        key: String,
        lang: &'static str,
        file: String,
        what: String,
    },
    /// `load` called with a folder after the words were in use.
    #[error("the words were already loaded")]
    AlreadyLoaded,
}

/// One language's messages, checked.
type Bundle = FluentBundle<FluentResource>;

/// Every key's words in every language.
pub(crate) struct Table {
    /// Per language: formats the words that take values.
    bundles: Vec<Bundle>,
    /// Per key, in the files' order: each language's words with no values filled in.
    plain: HashMap<String, Vec<Box<str>>>,
    /// The keys in the English file's order.
    order: Vec<String>,
}

impl Table {
    /// Reads each language's file (from `dir` where it holds `{tag}.ftl`), with the words the
    /// served country's pack puts in their place, and checks them against the embedded
    /// English: every key there, no value the pages do not give.
    pub(crate) fn read(dir: Option<&Path>) -> Result<Table, WordsError> {
        let (english, _) = parse("en.ftl (embedded)", EMBEDDED[0].to_string())?;
        let keys = patterns(&english);
        let given: HashMap<&str, BTreeSet<&str>> = keys
            .iter()
            .map(|(k, p)| (k.as_str(), variables(p)))
            .collect();
        let order: Vec<String> = keys.iter().map(|(k, _)| k.clone()).collect();
        let mut bundles = Vec::new();
        let mut plain: HashMap<String, Vec<Box<str>>> = HashMap::with_capacity(order.len());
        for lang in Lang::ALL {
            let (file, text) = source(dir, lang)?;
            // A translator's own file is taken as it is; the country's words replace only
            // the built-in ones.
            let embedded = file.ends_with("(embedded)");
            let (resource, file) = parse(&file, text)?;
            let own = patterns(&resource);
            let lang_tag = lang.tag();
            only_given_values(&own, &given, lang_tag, &file)?;
            let pack = lango_core::country::current();
            let overrides = match pack.words(lang_tag).filter(|_| embedded) {
                Some(text) => {
                    let name = format!("packs/{}/words/{lang_tag}.ftl (embedded)", pack.code);
                    let (res, name) = parse(&name, text.to_string())?;
                    only_given_values(&patterns(&res), &given, lang_tag, &name)?;
                    Some(res)
                }
                None => None,
            };
            let has: std::collections::HashSet<&str> =
                own.iter().map(|(k, _)| k.as_str()).collect();
            if let Some(key) = order.iter().find(|k| !has.contains(k.as_str())) {
                return Err(WordsError::Missing {
                    key: key.clone(),
                    lang: lang_tag,
                    file,
                });
            }
            let bundle = bundle(lang, resource, overrides).map_err(|what| WordsError::Broken {
                key: what.0,
                lang: lang_tag,
                file: file.clone(),
                what: what.1,
            })?;
            for key in &order {
                let text = write(&bundle, key, None).map_err(|what| WordsError::Broken {
                    key: key.clone(),
                    lang: lang_tag,
                    file: file.clone(),
                    what,
                })?;
                plain
                    .entry(key.clone())
                    .or_default()
                    .push(text.into_boxed_str());
            }
            bundles.push(bundle);
        }
        Ok(Table {
            bundles,
            plain,
            order,
        })
    }

    /// `key`'s words in `lang` with no values filled in.
    pub(crate) fn text(&self, lang: Lang, key: &str) -> Option<&str> {
        self.plain.get(key).map(|t| &*t[lang as usize])
    }

    /// `key`'s words in `lang` with `values` as `$v1`, `$v2`….
    pub(crate) fn format<'a>(
        &self,
        lang: Lang,
        key: &str,
        values: impl IntoIterator<Item = FluentValue<'a>>,
    ) -> Option<String> {
        if !self.plain.contains_key(key) {
            return None;
        }
        let mut args = FluentArgs::new();
        for (n, value) in values.into_iter().enumerate() {
            args.set(format!("v{}", n + 1), value);
        }
        match write(&self.bundles[lang as usize], key, Some(&args)) {
            Ok(text) => Some(text),
            Err(what) => {
                tracing::warn!(key, lang = lang.tag(), what, "words written with a fault");
                self.text(lang, key).map(str::to_string)
            }
        }
    }

    /// The keys, in the English file's order.
    pub(crate) fn keys(&self) -> impl Iterator<Item = &str> {
        self.order.iter().map(String::as_str)
    }
}

/// Refuses a word that uses a value its pages do not give; warns of a word no page asks for.
fn only_given_values(
    own: &[(String, &ast::Pattern<&str>)],
    given: &HashMap<&str, BTreeSet<&str>>,
    lang: &'static str,
    file: &str,
) -> Result<(), WordsError> {
    for (key, pattern) in own {
        let Some(allowed) = given.get(key.as_str()) else {
            tracing::warn!(key, lang, file, "a word no page asks for");
            continue;
        };
        if let Some(value) = variables(pattern)
            .into_iter()
            .find(|v| !allowed.contains(v))
        {
            let given = allowed.iter().map(|v| format!("${v}")).collect::<Vec<_>>();
            return Err(WordsError::UnknownValue {
                key: key.clone(),
                lang,
                file: file.to_string(),
                value: value.to_string(),
                given: if given.is_empty() {
                    "none".into()
                } else {
                    given.join(", ")
                },
            });
        }
    }
    Ok(())
}

/// Where `lang`'s words come from: `dir/{tag}.ftl` if there is one, else the embedded file.
fn source(dir: Option<&Path>, lang: Lang) -> Result<(String, String), WordsError> {
    let name = format!("{}.ftl", lang.tag());
    if let Some(path) = dir.map(|d| d.join(&name)).filter(|p| p.exists()) {
        let file = path.display().to_string();
        return match std::fs::read_to_string(&path) {
            Ok(text) => Ok((file, text)),
            Err(error) => Err(WordsError::Unreadable { file, error }),
        };
    }
    Ok((
        format!("{name} (embedded)"),
        EMBEDDED[lang as usize].to_string(),
    ))
}

fn parse(file: &str, text: String) -> Result<(FluentResource, String), WordsError> {
    FluentResource::try_new(text.clone())
        .map(|r| (r, file.to_string()))
        .map_err(|(_, errors)| {
            let first = &errors[0];
            // The line of the entry at fault (the parser's own position may be past its end).
            let at = first.slice.as_ref().map_or(first.pos.start, |s| s.start);
            WordsError::Syntax {
                file: file.to_string(),
                line: text[..at.min(text.len())].matches('\n').count() + 1,
                what: first.kind.to_string(),
            }
        })
}

/// Each key of a file with its pattern: a message's value, and `message.attribute` for each
/// of its attributes.
fn patterns(resource: &FluentResource) -> Vec<(String, &ast::Pattern<&str>)> {
    let mut out = Vec::new();
    for entry in resource.entries() {
        if let ast::Entry::Message(m) = entry {
            if let Some(value) = &m.value {
                out.push((m.id.name.to_string(), value));
            }
            for a in &m.attributes {
                out.push((format!("{}.{}", m.id.name, a.id.name), &a.value));
            }
        }
    }
    out
}

/// The variables (`$name`) a pattern uses.
fn variables<'s>(pattern: &ast::Pattern<&'s str>) -> BTreeSet<&'s str> {
    fn inline<'s>(e: &ast::InlineExpression<&'s str>, out: &mut BTreeSet<&'s str>) {
        match e {
            ast::InlineExpression::VariableReference { id } => {
                out.insert(id.name);
            }
            ast::InlineExpression::FunctionReference { arguments, .. } => call(arguments, out),
            ast::InlineExpression::TermReference {
                arguments: Some(a), ..
            } => call(a, out),
            ast::InlineExpression::Placeable { expression } => expr(expression, out),
            _ => {}
        }
    }
    fn call<'s>(a: &ast::CallArguments<&'s str>, out: &mut BTreeSet<&'s str>) {
        a.positional.iter().for_each(|e| inline(e, out));
        a.named.iter().for_each(|n| inline(&n.value, out));
    }
    fn expr<'s>(e: &ast::Expression<&'s str>, out: &mut BTreeSet<&'s str>) {
        match e {
            ast::Expression::Inline(i) => inline(i, out),
            ast::Expression::Select { selector, variants } => {
                inline(selector, out);
                for v in variants {
                    out.extend(variables(&v.value));
                }
            }
        }
    }
    let mut out = BTreeSet::new();
    for element in &pattern.elements {
        if let ast::PatternElement::Placeable { expression } = element {
            expr(expression, &mut out);
        }
    }
    out
}

/// A checked bundle for `lang`, the country's words over the language's own: no isolation marks (the pages are HTML, written one language
/// at a time) and numbers grouped by thousands.
fn bundle(
    lang: Lang,
    resource: FluentResource,
    overrides: Option<FluentResource>,
) -> Result<Bundle, (String, String)> {
    let id = lang.tag().parse().map_err(|_| {
        (
            String::new(),
            format!("{} is not a language tag", lang.tag()),
        )
    })?;
    let mut bundle = Bundle::new_concurrent(vec![id]);
    bundle.set_use_isolating(false);
    bundle.set_formatter(Some(grouped));
    bundle
        .add_builtins()
        .map_err(|e| (String::new(), e.to_string()))?;
    bundle
        .add_resource(resource)
        .map_err(|errors| match &errors[0] {
            fluent_bundle::FluentError::Overriding { id, .. } => {
                (id.clone(), "it is in the file twice".to_string())
            }
            other => (String::new(), other.to_string()),
        })?;
    if let Some(res) = overrides {
        bundle.add_resource_overriding(res);
    }
    Ok(bundle)
}

/// `key` written out; with no values, a word that takes some shows them as `{$v1}`.
fn write(bundle: &Bundle, key: &str, args: Option<&FluentArgs>) -> Result<String, String> {
    let (message, attribute) = match key.split_once('.') {
        Some((m, a)) => (m, Some(a)),
        None => (key, None),
    };
    let message = bundle.get_message(message).ok_or("no such message")?;
    let pattern = match attribute {
        Some(a) => message.get_attribute(a).map(|a| a.value()),
        None => message.value(),
    }
    .ok_or("no such message")?;
    let mut errors = Vec::new();
    let text = bundle
        .format_pattern(pattern, args, &mut errors)
        .into_owned();
    let missing_value = |e: &fluent_bundle::FluentError| {
        matches!(
            e,
            fluent_bundle::FluentError::ResolverError(
                fluent_bundle::resolver::ResolverError::Reference(
                    fluent_bundle::resolver::errors::ReferenceKind::Variable { .. }
                )
            )
        )
    };
    match errors.iter().find(|e| args.is_some() || !missing_value(e)) {
        Some(e) => Err(e.to_string()),
        None => Ok(text),
    }
}

/// Numbers as English, Kiswahili and Malay write them: thousands grouped with commas
/// (`NUMBER($n, useGrouping: "false")` for a number that is a name, such as a year).
fn grouped<M>(value: &FluentValue, _: &M) -> Option<String> {
    let FluentValue::Number(n) = value else {
        return None;
    };
    if !n.options.use_grouping || n.value.abs() < 1000.0 {
        return None;
    }
    let plain = n.as_string().into_owned();
    let (sign, digits) = plain
        .strip_prefix('-')
        .map_or(("", plain.as_str()), |d| ("-", d));
    let (whole, fraction) = digits
        .split_once('.')
        .map_or((digits, None), |(w, f)| (w, Some(f)));
    let mut out = String::from(sign);
    for (i, c) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    if let Some(f) = fraction {
        out.push('.');
        out.push_str(f);
    }
    Some(out)
}
