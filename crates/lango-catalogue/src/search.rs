//! The search index each node keeps in memory, following the catalogue's revision counter.
//!
//! Ranking is tantivy's BM25 over names, summaries, keywords and agency names in both
//! languages (English stemmed, Bahasa Melayu by `crate::malay`); typos are forgiven with
//! Levenshtein automata (one edit for words of four or five letters, two from six) and the
//! last word also matches as a prefix, so results
//! appear while a person is still typing. Pages of results are cached per index
//! generation, so a change anywhere invalidates them at once.

use crate::model::*;
use crate::snapshot::{Entry, Snapshot};
use lango_core::{Error, Result};
use quick_cache::sync::Cache;
use std::sync::Arc;
use tantivy::collector::{Count, TopDocs};
use tantivy::query::{BooleanQuery, BoostQuery, FuzzyTermQuery, Occur, Query, TermQuery};
use tantivy::schema::{
    Field, IndexRecordOption, Schema, TextFieldIndexing, TextOptions, FAST, INDEXED, STRING,
};
use tantivy::tokenizer::{
    AsciiFoldingFilter, Language, LowerCaser, RemoveLongFilter, SimpleTokenizer, Stemmer,
    TextAnalyzer,
};
use tantivy::{Index, IndexReader, IndexWriter, Searcher, TantivyDocument, Term};

/// Longest query accepted, in characters.
pub const MAX_QUERY: usize = 200;
/// Most results on one page.
pub const MAX_PER_PAGE: u32 = 100;
/// Deepest result reachable by paging.
pub const MAX_DEPTH: u32 = 10_000;
/// Most words of a query that count.
const MAX_TERMS: usize = 8;

/// A parsed search: words plus filters and a page.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Default)]
pub struct SearchRequest {
    /// Free text; empty lists everything that passes the filters, by name.
    pub q: String,
    /// Only this agency's services.
    pub agency: Option<AgencyCode>,
    /// Only services at this stage.
    pub stage: Option<Stage>,
    /// Only this category.
    pub category: Option<String>,
    /// Only services offered on this channel.
    pub channel: Option<Channel>,
    /// Only services for this life event.
    pub life_event: Option<String>,
    /// 1-based page number.
    pub page: u32,
    /// Results per page.
    pub per_page: u32,
}

/// Raw filter values as they arrive from a query string.
#[derive(Debug, Default, Clone)]
pub struct RawSearch<'a> {
    /// `q`
    pub q: Option<&'a str>,
    /// `agency`
    pub agency: Option<&'a str>,
    /// `stage`
    pub stage: Option<&'a str>,
    /// `category`
    pub category: Option<&'a str>,
    /// `channel`
    pub channel: Option<&'a str>,
    /// `life_event`
    pub life_event: Option<&'a str>,
    /// `page`
    pub page: Option<&'a str>,
    /// `per_page`
    pub per_page: Option<&'a str>,
}

impl SearchRequest {
    /// Parses query-string values; an empty value means "not given".
    pub fn parse(raw: RawSearch<'_>) -> Result<SearchRequest> {
        let given = |v: Option<&str>| {
            v.map(str::trim)
                .filter(|v| !v.is_empty())
                .map(str::to_string)
        };
        let q = given(raw.q).unwrap_or_default();
        if q.chars().count() > MAX_QUERY {
            return Err(Error::invalid(
                "q",
                format!("search text is limited to {MAX_QUERY} characters"),
            ));
        }
        let number = |field: &str, v: Option<&str>, default: u32, max: u32| -> Result<u32> {
            match given(v) {
                None => Ok(default),
                Some(v) => match v.parse::<u32>() {
                    Ok(n) if (1..=max).contains(&n) => Ok(n),
                    _ => Err(Error::invalid(
                        field,
                        format!("{field} must be a whole number from 1 to {max}"),
                    )),
                },
            }
        };
        let page = number("page", raw.page, 1, MAX_DEPTH)?;
        let per_page = number("per_page", raw.per_page, 20, MAX_PER_PAGE)?;
        if page.saturating_mul(per_page) > MAX_DEPTH + per_page {
            return Err(Error::invalid(
                "page",
                format!("results are listed to a depth of {MAX_DEPTH}"),
            ));
        }
        let choice = |field: &str, v: Option<String>, choices: String| {
            Error::invalid(
                field,
                format!(
                    "{field} must be one of {choices}, got {:?}",
                    v.unwrap_or_default()
                ),
            )
        };
        let stage = match given(raw.stage) {
            None => None,
            Some(s) => {
                Some(Stage::parse(&s).ok_or_else(|| choice("stage", Some(s), Stage::choices()))?)
            }
        };
        let channel = match given(raw.channel) {
            None => None,
            Some(s) => Some(
                Channel::parse(&s).ok_or_else(|| choice("channel", Some(s), Channel::choices()))?,
            ),
        };
        Ok(SearchRequest {
            q,
            agency: given(raw.agency)
                .map(|a| AgencyCode::parse(&a))
                .transpose()
                .map_err(|_| {
                    Error::invalid("agency", "agency must be an agency code such as NTSA")
                })?,
            stage,
            category: given(raw.category)
                .map(|c| parse_slug("category", &c))
                .transpose()?,
            channel,
            life_event: given(raw.life_event)
                .map(|c| parse_slug("life_event", &c))
                .transpose()?,
            page,
            per_page,
        })
    }
}

/// One result.
#[derive(Debug, Clone)]
pub struct SearchHit {
    /// The service.
    pub entry: Arc<Entry>,
    /// Its agency.
    pub agency: Arc<Agency>,
}

/// One page of results.
#[derive(Debug, Clone)]
pub struct SearchPage {
    /// Results on this page, best first.
    pub items: Vec<SearchHit>,
    /// Results in all.
    pub total: u64,
    /// This page's number.
    pub page: u32,
    /// Results per page.
    pub per_page: u32,
}

/// The indexed fields.
#[derive(Clone, Copy)]
struct Fields {
    seq: Field,
    code: Field,
    agency: Field,
    stage: Field,
    category: Field,
    channel: Field,
    life_event: Field,
    status: Field,
    /// Text fields with their weights, and whether typos and prefixes are tried on them.
    text: [(Field, f32, bool); 7],
}

/// The index, its writer and the result cache.
pub struct SearchIndex {
    index: Index,
    reader: IndexReader,
    writer: std::sync::Mutex<IndexWriter>,
    fields: Fields,
    cache: Cache<(u64, SearchRequest), Arc<SearchPage>>,
}

/// English text is stemmed; the country's own language is stemmed when Lango has a stemmer
/// for it (Bahasa Melayu), and matched as written otherwise (Kiswahili).
fn analyzer(lang: &str) -> TextAnalyzer {
    let base = TextAnalyzer::builder(SimpleTokenizer::default())
        .filter(RemoveLongFilter::limit(40))
        .filter(LowerCaser)
        .filter(AsciiFoldingFilter);
    match lang {
        "en" => base.filter(Stemmer::new(Language::English)).build(),
        "ms" => base.filter(crate::malay::MalayStemmer).build(),
        _ => base.build(),
    }
}

impl SearchIndex {
    /// An empty in-memory index.
    pub fn new() -> Result<SearchIndex> {
        let mut b = Schema::builder();
        let text = |tokenizer: &str| {
            TextOptions::default().set_indexing_options(
                TextFieldIndexing::default()
                    .set_tokenizer(tokenizer)
                    .set_index_option(IndexRecordOption::WithFreqs),
            )
        };
        let seq = b.add_u64_field("seq", FAST | INDEXED);
        let code = b.add_text_field("code", STRING);
        let agency = b.add_text_field("agency", STRING);
        let stage = b.add_text_field("stage", STRING);
        let category = b.add_text_field("category", STRING);
        let channel = b.add_text_field("channel", STRING);
        let life_event = b.add_text_field("life_event", STRING);
        let status = b.add_text_field("status", STRING);
        let name = b.add_text_field("name", text("lango_en"));
        let name_sw = b.add_text_field("name_sw", text("lango_sw"));
        let summary = b.add_text_field("summary", text("lango_en"));
        let summary_sw = b.add_text_field("summary_sw", text("lango_sw"));
        let keywords = b.add_text_field("keywords", text("lango_sw"));
        let agency_name = b.add_text_field("agency_name", text("lango_en"));
        let agency_name_sw = b.add_text_field("agency_name_sw", text("lango_sw"));
        let index = Index::create_in_ram(b.build());
        index.tokenizers().register("lango_en", analyzer("en"));
        let local = lango_core::country::current().local_language();
        index
            .tokenizers()
            .register("lango_sw", analyzer(local.unwrap_or("sw")));
        let writer = index
            .writer_with_num_threads(1, 30_000_000)
            .map_err(internal)?;
        let reader = index
            .reader_builder()
            .reload_policy(tantivy::ReloadPolicy::Manual)
            .try_into()
            .map_err(internal)?;
        Ok(SearchIndex {
            index,
            reader,
            writer: std::sync::Mutex::new(writer),
            fields: Fields {
                seq,
                code,
                agency,
                stage,
                category,
                channel,
                life_event,
                status,
                text: [
                    (name, 3.0, true),
                    (name_sw, 3.0, true),
                    (keywords, 2.0, true),
                    (summary, 1.0, false),
                    (summary_sw, 1.0, false),
                    (agency_name, 1.5, false),
                    (agency_name_sw, 1.5, false),
                ],
            },
            cache: Cache::new(8192),
        })
    }

    /// Replaces the documents of `entries` (and removes `removed` codes), then commits.
    pub fn apply(&self, entries: &[(Arc<Entry>, Arc<Agency>)]) -> Result<Searcher> {
        let f = self.fields;
        let mut writer = self
            .writer
            .lock()
            .map_err(|_| Error::Internal("search writer poisoned".into()))?;
        for (entry, agency) in entries {
            let s = &entry.service;
            writer.delete_term(Term::from_field_text(f.code, s.code.as_str()));
            let mut doc = TantivyDocument::default();
            doc.add_u64(f.seq, entry.seq);
            doc.add_text(f.code, s.code.as_str());
            doc.add_text(f.agency, s.agency_code.as_str());
            doc.add_text(f.stage, s.stage.as_str());
            doc.add_text(f.category, &s.category);
            for c in &s.channels {
                doc.add_text(f.channel, c.as_str());
            }
            for e in &s.life_events {
                doc.add_text(f.life_event, e);
            }
            doc.add_text(f.status, s.status.as_str());
            let texts = [
                s.name.clone(),
                s.name_sw.clone(),
                s.keywords.join(" ; "),
                s.summary.clone(),
                s.summary_sw.clone(),
                agency.name.clone(),
                agency.name_sw.clone(),
            ];
            for ((field, _, _), text) in f.text.iter().zip(texts) {
                doc.add_text(*field, text);
            }
            writer.add_document(doc).map_err(internal)?;
        }
        writer.commit().map_err(internal)?;
        self.reader.reload().map_err(internal)?;
        Ok(self.reader.searcher())
    }

    /// Runs a search against one consistent generation of index and snapshot.
    /// The cached page for this request, if one is.
    pub fn cached(&self, generation: u64, req: &SearchRequest) -> Option<Arc<SearchPage>> {
        self.cache.get(&(generation, req.clone()))
    }

    /// Runs a search (or answers from the cache), caching the page it computes.
    pub fn search(
        &self,
        generation: u64,
        searcher: &Searcher,
        snap: &Snapshot,
        req: &SearchRequest,
    ) -> Result<Arc<SearchPage>> {
        let key = (generation, req.clone());
        if let Some(hit) = self.cache.get(&key) {
            return Ok(hit);
        }
        let words = query_words(&req.q);
        let page = if words.is_empty() {
            list_by_name(snap, req)
        } else {
            self.ranked(searcher, snap, req, &words)?
        };
        let page = Arc::new(page);
        self.cache.insert(key, page.clone());
        Ok(page)
    }

    fn ranked(
        &self,
        searcher: &Searcher,
        snap: &Snapshot,
        req: &SearchRequest,
        words: &[String],
    ) -> Result<SearchPage> {
        let f = self.fields;
        let mut clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        let mut word_clauses: Vec<(Occur, Box<dyn Query>)> = Vec::new();
        for (i, word) in words.iter().enumerate() {
            let last = i + 1 == words.len();
            for &(field, weight, forgiving) in &f.text {
                let mut analyzer = self.index.tokenizer_for_field(field).map_err(internal)?;
                let mut stream = analyzer.token_stream(word);
                while let Some(token) = stream.next() {
                    let term = Term::from_field_text(field, &token.text);
                    let n = token.text.chars().count();
                    word_clauses.push((
                        Occur::Should,
                        Box::new(BoostQuery::new(
                            Box::new(TermQuery::new(term.clone(), IndexRecordOption::WithFreqs)),
                            weight * 2.0,
                        )),
                    ));
                    let distance = match n {
                        0..=3 => 0,
                        4..=5 => 1,
                        _ => 2,
                    };
                    if !forgiving {
                        continue;
                    }
                    if distance > 0 {
                        word_clauses.push((
                            Occur::Should,
                            Box::new(BoostQuery::new(
                                Box::new(FuzzyTermQuery::new(term.clone(), distance, true)),
                                weight * 0.3,
                            )),
                        ));
                    }
                    if last && n >= 2 {
                        word_clauses.push((
                            Occur::Should,
                            Box::new(BoostQuery::new(
                                Box::new(FuzzyTermQuery::new_prefix(term, 0, true)),
                                weight * 0.5,
                            )),
                        ));
                    }
                }
            }
        }
        if word_clauses.is_empty() {
            return Ok(SearchPage {
                items: vec![],
                total: 0,
                page: req.page,
                per_page: req.per_page,
            });
        }
        clauses.push((Occur::Must, Box::new(BooleanQuery::new(word_clauses))));
        let mut filter = |field: Field, value: &str| {
            clauses.push((
                Occur::Must,
                Box::new(BoostQuery::new(
                    Box::new(TermQuery::new(
                        Term::from_field_text(field, value),
                        IndexRecordOption::Basic,
                    )),
                    0.0,
                )),
            ));
        };
        filter(f.status, Status::Active.as_str());
        if let Some(a) = &req.agency {
            filter(f.agency, a.as_str());
        }
        if let Some(s) = req.stage {
            filter(f.stage, s.as_str());
        }
        if let Some(c) = &req.category {
            filter(f.category, c);
        }
        if let Some(c) = req.channel {
            filter(f.channel, c.as_str());
        }
        if let Some(e) = &req.life_event {
            filter(f.life_event, e);
        }
        let query = BooleanQuery::new(clauses);
        let offset = ((req.page - 1) * req.per_page) as usize;
        let (top, total) = searcher
            .search(
                &query,
                &(
                    TopDocs::with_limit(req.per_page as usize).and_offset(offset),
                    Count,
                ),
            )
            .map_err(internal)?;
        let mut items = Vec::with_capacity(top.len());
        for (_score, addr) in top {
            let column = searcher
                .segment_reader(addr.segment_ord)
                .fast_fields()
                .u64("seq")
                .map_err(internal)?;
            if let Some(hit) = column
                .first(addr.doc_id)
                .and_then(|seq| snap.hit_by_seq(seq))
            {
                items.push(hit);
            }
        }
        Ok(SearchPage {
            items,
            total: total as u64,
            page: req.page,
            per_page: req.per_page,
        })
    }
}

/// Splits a query into lower-case words, ignoring punctuation; at most eight count.
fn query_words(q: &str) -> Vec<String> {
    q.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .take(MAX_TERMS)
        .map(|w| w.chars().take(40).collect::<String>().to_lowercase())
        .collect()
}

/// Without words: every matching active service in name order.
fn list_by_name(snap: &Snapshot, req: &SearchRequest) -> SearchPage {
    let matches = snap.by_name().iter().filter(|e| {
        let s = &e.service;
        s.status == Status::Active
            && req.agency.as_ref().is_none_or(|a| &s.agency_code == a)
            && req.stage.is_none_or(|st| s.stage == st)
            && req.category.as_ref().is_none_or(|c| &s.category == c)
            && req.channel.is_none_or(|c| s.channels.contains(&c))
            && req
                .life_event
                .as_ref()
                .is_none_or(|e| s.life_events.contains(e))
    });
    let offset = ((req.page - 1) * req.per_page) as usize;
    let mut total = 0u64;
    let mut items = Vec::new();
    for (i, e) in matches.enumerate() {
        total += 1;
        if i >= offset && items.len() < req.per_page as usize {
            if let Some(hit) = snap.hit(e) {
                items.push(hit);
            }
        }
    }
    SearchPage {
        items,
        total,
        page: req.page,
        per_page: req.per_page,
    }
}

fn internal(e: impl std::fmt::Display) -> Error {
    Error::Internal(format!("search index: {e}"))
}
