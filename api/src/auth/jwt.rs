//! Access tokens: HS256 JWTs with `sub`, `role`, `regions`, `iat`, `exp`. The algorithm is
//! pinned: a token signed any other way (including `none`) is refused.

use jsonwebtoken::{decode, encode, Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};

/// Claims of an access token.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Claims {
    /// User id.
    pub sub: String,
    /// Role name.
    pub role: String,
    /// Region codes of the role.
    #[serde(default)]
    pub regions: Vec<String>,
    /// Issued at (unix seconds).
    pub iat: i64,
    /// Expires at (unix seconds).
    pub exp: i64,
    /// How the user signed in (`max`, `pwd`, `pwd+otp`, `dev`).
    #[serde(default)]
    pub amr: Option<String>,
    /// The sign-in (refresh-token family) the token belongs to: a password change or a new
    /// second factor ends every other one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sid: Option<String>,
}

/// Signs and checks access tokens with one secret.
#[derive(Clone)]
pub struct JwtKeys {
    encoding: EncodingKey,
    decoding: DecodingKey,
    validation: Validation,
}

impl std::fmt::Debug for JwtKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("JwtKeys(..)")
    }
}

impl JwtKeys {
    /// Keys from the shared secret.
    #[must_use]
    pub fn new(secret: &str) -> Self {
        let mut validation = Validation::new(Algorithm::HS256);
        validation.leeway = 5;
        validation.validate_exp = true;
        validation.set_required_spec_claims(&["exp", "sub", "iat"]);
        Self {
            encoding: EncodingKey::from_secret(secret.as_bytes()),
            decoding: DecodingKey::from_secret(secret.as_bytes()),
            validation,
        }
    }

    /// A signed token for the claims.
    ///
    /// # Errors
    /// Serialization failure (not expected).
    pub fn sign(&self, claims: &Claims) -> Result<String, jsonwebtoken::errors::Error> {
        encode(&Header::new(Algorithm::HS256), claims, &self.encoding)
    }

    /// The claims of a valid, unexpired HS256 token.
    ///
    /// # Errors
    /// Any defect: wrong algorithm, signature, expiry, shape.
    pub fn verify(&self, token: &str) -> Result<Claims, jsonwebtoken::errors::Error> {
        decode::<Claims>(token, &self.decoding, &self.validation).map(|d| d.claims)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;

    fn claims(exp_offset: i64) -> Claims {
        let now = chrono::Utc::now().timestamp();
        Claims {
            sub: "u1".into(),
            role: "teacher".into(),
            regions: vec![],
            iat: now,
            exp: now + exp_offset,
            amr: Some("max".into()),
            sid: None,
        }
    }

    #[test]
    fn round_trip_and_rejections() {
        let keys = JwtKeys::new("secret-one-with-enough-length-123456");
        let token = keys.sign(&claims(900)).unwrap();
        assert_eq!(keys.verify(&token).unwrap().sub, "u1");

        // Expired.
        assert!(keys.verify(&keys.sign(&claims(-60)).unwrap()).is_err());
        // Another secret.
        let other = JwtKeys::new("another-secret-with-enough-length-12");
        assert!(other.verify(&token).is_err());
        // Another algorithm with the same secret.
        let hs512 = encode(
            &Header::new(Algorithm::HS512),
            &claims(900),
            &EncodingKey::from_secret(b"secret-one-with-enough-length-123456"),
        )
        .unwrap();
        assert!(keys.verify(&hs512).is_err());
        // alg=none, no signature.
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let header = b64.encode(br#"{"alg":"none","typ":"JWT"}"#);
        let body = b64.encode(serde_json::to_vec(&claims(900)).unwrap());
        assert!(keys.verify(&format!("{header}.{body}.")).is_err());
        // A changed payload with the old signature.
        let parts: Vec<&str> = token.split('.').collect();
        let mut forged = claims(900);
        forged.role = "admin".into();
        let forged_body = b64.encode(serde_json::to_vec(&forged).unwrap());
        assert!(keys
            .verify(&format!("{}.{forged_body}.{}", parts[0], parts[2]))
            .is_err());
    }
}
