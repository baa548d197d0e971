//! The knowledge base: articles, versions, variants, synonyms.
