//! Subjects of the Russian Federation: the reference list and the region code newtype.

use serde::{Deserialize, Serialize};

/// A subject of the Russian Federation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct Region {
    /// Two-digit code, e.g. `77` for Moscow.
    #[cfg_attr(feature = "openapi", schema(example = "77"))]
    pub code: String,
    /// Official name in Russian.
    pub name: String,
    /// Federal district, e.g. `Центральный`.
    pub federal_district: String,
    /// IANA time zone of the region's administrative centre, e.g. `Europe/Moscow`.
    pub timezone: String,
}

/// A short reference to a region inside other objects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[cfg_attr(feature = "js", derive(js_codec::Decode, js_codec::Encode))]
pub struct RegionRef {
    /// Two-digit region code.
    pub code: String,
    /// Region name in Russian.
    pub name: String,
}

/// A syntactically valid region code: exactly two ASCII digits. Whether the region exists
/// is the server's business.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RegionCode(String);

impl RegionCode {
    /// Accepts `"7"` as `"07"` (people type it that way) and rejects anything else that is
    /// not one or two digits.
    ///
    /// # Errors
    /// A Russian message when the text is not a region code.
    pub fn parse(raw: &str) -> Result<Self, &'static str> {
        let raw = raw.trim();
        if raw.is_empty() || raw.len() > 2 || !raw.bytes().all(|b| b.is_ascii_digit()) {
            return Err("Код региона — две цифры, например 77");
        }
        Ok(Self(format!("{raw:0>2}")))
    }

    /// The two-digit code.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for RegionCode {
    type Error = &'static str;
    fn try_from(value: String) -> Result<Self, Self::Error> {
        Self::parse(&value)
    }
}

impl From<RegionCode> for String {
    fn from(value: RegionCode) -> Self {
        value.0
    }
}

impl std::fmt::Display for RegionCode {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::RegionCode;

    #[test]
    fn region_code_pads_and_rejects() {
        assert_eq!(
            RegionCode::parse("7").map(|c| c.to_string()),
            Ok("07".to_owned())
        );
        assert_eq!(
            RegionCode::parse(" 77 ").map(|c| c.to_string()),
            Ok("77".to_owned())
        );
        assert!(RegionCode::parse("777").is_err());
        assert!(RegionCode::parse("7a").is_err());
        assert!(RegionCode::parse("").is_err());
    }
}
