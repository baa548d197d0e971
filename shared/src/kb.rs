//! Knowledge base: articles, their versions, search results, candidate variants, synonyms.

use serde::{Deserialize, Serialize};

/// Where a candidate question variant is (`kb_variants.status`). The API shows it as text
/// (`Variant::status`, the `status` filter), so no utoipa derive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[serde(rename_all = "snake_case")]
pub enum VariantStatus {
    /// Waiting for the federal curator.
    Candidate,
    /// Joined its article.
    Confirmed,
    /// Turned down.
    Rejected,
}

impl VariantStatus {
    /// Stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Candidate => "candidate",
            Self::Confirmed => "confirmed",
            Self::Rejected => "rejected",
        }
    }

    /// Parses the stored name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "candidate" => Some(Self::Candidate),
            "confirmed" => Some(Self::Confirmed),
            "rejected" => Some(Self::Rejected),
            _ => None,
        }
    }
}

/// Lifecycle of an article; only `published` articles are searchable.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[cfg_attr(
    feature = "diesel",
    derive(diesel::expression::AsExpression, diesel::deserialize::FromSqlRow),
    diesel(sql_type = diesel::sql_types::Text)
)]
#[serde(rename_all = "snake_case")]
pub enum ArticleStatus {
    /// Being written or proposed; not searchable.
    Draft,
    /// Approved and searchable.
    Published,
    /// Withdrawn; kept for history.
    Archived,
}

impl ArticleStatus {
    /// Stored name.
    #[must_use]
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Draft => "draft",
            Self::Published => "published",
            Self::Archived => "archived",
        }
    }

    /// Parses the stored name.
    #[must_use]
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "draft" => Some(Self::Draft),
            "published" => Some(Self::Published),
            "archived" => Some(Self::Archived),
            _ => None,
        }
    }
}

/// A knowledge-base article (its current version).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct Article {
    /// Article id, e.g. `kb-001`.
    pub id: String,
    /// Short title.
    pub title: String,
    /// Canonical question.
    pub question: String,
    /// Other wordings of the question.
    pub variants: Vec<String>,
    /// The verified answer (plain text with simple formatting).
    pub answer: String,
    /// Legal references (laws, orders, letters).
    pub legal_refs: Vec<String>,
    /// Topic tags.
    pub tags: Vec<String>,
    /// Status.
    pub status: ArticleStatus,
    /// Version number, growing with every change.
    pub version: i32,
    /// Last change (RFC 3339, UTC).
    pub updated_at: String,
    /// Who published it.
    pub approved_by: Option<String>,
    /// When it was published.
    pub approved_at: Option<String>,
    /// The appeal an operator proposed it from, if any.
    pub source_appeal_id: Option<String>,
}

/// `POST /api/v1/kb/articles`: a new draft.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(deny_unknown_fields)]
pub struct CreateArticle {
    /// Title (up to 200 characters).
    pub title: String,
    /// Canonical question (10–1,000 characters).
    pub question: String,
    /// Other wordings.
    #[serde(default)]
    pub variants: Vec<String>,
    /// Answer (10–20,000 characters).
    pub answer: String,
    /// Legal references.
    #[serde(default)]
    pub legal_refs: Vec<String>,
    /// Tags.
    #[serde(default)]
    pub tags: Vec<String>,
}

/// `PATCH /api/v1/kb/articles/{id}`: absent fields stay as they are.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
#[serde(deny_unknown_fields)]
pub struct UpdateArticle {
    /// Title.
    #[serde(default)]
    pub title: Option<String>,
    /// Canonical question.
    #[serde(default)]
    pub question: Option<String>,
    /// Other wordings (replaces the list).
    #[serde(default)]
    pub variants: Option<Vec<String>>,
    /// Answer.
    #[serde(default)]
    pub answer: Option<String>,
    /// Legal references (replaces the list).
    #[serde(default)]
    pub legal_refs: Option<Vec<String>>,
    /// Tags (replaces the list).
    #[serde(default)]
    pub tags: Option<Vec<String>>,
}

/// One stored version of an article.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct ArticleVersion {
    /// Version number.
    pub version: i32,
    /// Title then.
    pub title: String,
    /// Question then.
    pub question: String,
    /// Variants then.
    pub variants: Vec<String>,
    /// Answer then.
    pub answer: String,
    /// Legal references then.
    pub legal_refs: Vec<String>,
    /// Tags then.
    pub tags: Vec<String>,
    /// Status then.
    pub status: ArticleStatus,
    /// Who made this version (null for imports).
    pub author_id: Option<String>,
    /// When.
    pub created_at: String,
}

/// One search result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct SearchHit {
    /// Article id.
    pub article_id: String,
    /// Title.
    pub title: String,
    /// Canonical question.
    pub question: String,
    /// Relevance score (higher is better; comparable within one search only).
    pub score: f64,
    /// The question's words found in this article, as the engine read them (after the
    /// synonym dictionary and typo repair), in question order.
    #[serde(default)]
    pub matched: Vec<String>,
    /// The abstain model's probability (0–1) that this article is the answer; the first
    /// hit is answered by itself when this reaches the model's threshold. Null when the
    /// engine has no model.
    #[serde(default)]
    pub probability: Option<f64>,
}

/// `GET /api/v1/kb/search`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct SearchResult {
    /// True when the first hit answers the query with confidence (what the bot would send).
    pub confident: bool,
    /// Why the engine would not answer by itself (`no_match`, `small_margin`, …).
    pub abstain_reason: Option<String>,
    /// Engine name and version.
    pub engine: String,
    /// Ranked hits, best first.
    pub items: Vec<SearchHit>,
}

/// A candidate question variant learnt from the service's own history.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct Variant {
    /// Variant id.
    pub id: String,
    /// The article it points to.
    pub article_id: String,
    /// That article's title.
    pub article_title: String,
    /// The teacher's wording.
    pub text: String,
    /// `operator_answer` or `accepted_suggestion`.
    pub source: String,
    /// The appeal it came from.
    pub appeal_id: Option<String>,
    /// `candidate`, `confirmed` or `rejected`.
    pub status: String,
    /// When it was collected.
    pub created_at: String,
}

/// A synonym or abbreviation of the answer engine.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct SynonymEntry {
    /// The word or phrase as teachers write it, e.g. `ктп`.
    pub term: String,
    /// What it means, e.g. `календарно-тематическое планирование`; none drops the phrase
    /// (greetings such as `добрый день`).
    pub expansions: Vec<String>,
}

// Query parameters of the knowledge base operations.

/// Search parameters.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct SearchQuery {
    /// The question in the teacher's words.
    pub q: String,
    /// At most this many hits (1–20, default 5).
    pub limit: Option<u32>,
}

/// Filters of the article list.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct ArticleFilter {
    /// Status (default `published`; other statuses for `federal` only).
    pub status: Option<ArticleStatus>,
    /// Only articles with this tag.
    pub tag: Option<String>,
    /// A question or words: published articles ranked by the engine (one page).
    pub q: Option<String>,
}

/// Filter of the variant queue.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::IntoParams), into_params(parameter_in = Query))]
pub struct VariantFilter {
    /// `candidate` (default), `confirmed` or `rejected`.
    pub status: Option<String>,
}
