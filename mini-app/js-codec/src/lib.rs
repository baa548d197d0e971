//! JSON decoding and encoding of the `shared` DTOs, derived from the types themselves.
//!
//! The mini-app lets the browser parse and print JSON (`Response.json()`,
//! `JSON.stringify`) and only walks the resulting JavaScript values: serde's generic
//! (de)serializers would add about 20 KB gzipped to each WebAssembly module. Instead of
//! writing that walk by hand per type, `#[derive(Decode, Encode)]` (from `js-codec-derive`)
//! generates it from the struct's fields and the same `#[serde(...)]` attributes serde reads
//! (`rename`, `rename_all = "snake_case"`, `default`, `skip_serializing_if`), so the wire
//! names are written once, in `shared`.
//!
//! The generated code is generic over the JSON value: [`Reader`] and [`Builder`]. The
//! mini-app implements them for `JsValue` (one monomorphic copy in the wasm); the round-trip
//! test implements them for `serde_json::Value`, so a native `cargo test` compares every
//! DTO with what the api's serde writes.
//!
//! Semantics follow serde's: a missing field is an error unless it is an `Option` (then
//! `None`) or has `#[serde(default)]`; `null` is `None`; unknown fields are ignored.

pub use js_codec_derive::{Decode, Encode};

/// Read access to a parsed JSON value.
pub trait Reader: Sized {
    /// The value of `key` when this is an object that has it; `None` when absent.
    fn field(&self, key: &str) -> Option<Self>;
    /// Whether this is a JSON object (not an array, not `null`).
    fn is_object(&self) -> bool;
    /// Whether this is `null`.
    fn is_null(&self) -> bool;
    /// The string, when this is one.
    fn as_string(&self) -> Option<String>;
    /// The number, when this is one.
    fn as_f64(&self) -> Option<f64>;
    /// The boolean, when this is one.
    fn as_bool(&self) -> Option<bool>;
    /// The items, when this is an array.
    fn items(&self) -> Option<Vec<Self>>;
}

/// Construction of a JSON value.
pub trait Builder: Sized {
    /// `null`.
    fn null() -> Self;
    /// A string.
    fn string(value: &str) -> Self;
    /// A number with a fraction (`f64` fields).
    fn float(value: f64) -> Self;
    /// A whole number (integer fields; serde_json keeps them apart from floats).
    fn int(value: i64) -> Self;
    /// A boolean.
    fn boolean(value: bool) -> Self;
    /// An array.
    fn array(items: Vec<Self>) -> Self;
    /// An object with these fields, in this order.
    fn object(fields: Vec<(&'static str, Self)>) -> Self;
}

/// A value read from JSON; derive it with `#[derive(js_codec::Decode)]`.
pub trait Decode: Sized {
    /// The value, or `None` when the JSON does not have this shape.
    fn decode<R: Reader>(value: &R) -> Option<Self>;

    /// The value of a field that is absent: `None` (required) except for `Option`.
    #[must_use]
    fn absent() -> Option<Self> {
        None
    }
}

/// A value written as JSON; derive it with `#[derive(js_codec::Encode)]`.
pub trait Encode {
    /// The JSON value, as serde would write it.
    fn encode<B: Builder>(&self) -> B;
}

/// A required (or `Option`) field of an object; used by the derived code.
pub fn field<R: Reader, T: Decode>(object: &R, key: &str) -> Option<T> {
    match object.field(key) {
        Some(value) => T::decode(&value),
        None => T::absent(),
    }
}

/// A field with a serde default: absent gives `default()`; used by the derived code.
pub fn field_or<R: Reader, T: Decode>(object: &R, key: &str, default: fn() -> T) -> Option<T> {
    match object.field(key) {
        Some(value) => T::decode(&value),
        None => Some(default()),
    }
}

impl Decode for String {
    fn decode<R: Reader>(value: &R) -> Option<Self> {
        value.as_string()
    }
}

impl Encode for String {
    fn encode<B: Builder>(&self) -> B {
        B::string(self)
    }
}

impl Decode for bool {
    fn decode<R: Reader>(value: &R) -> Option<Self> {
        value.as_bool()
    }
}

impl Encode for bool {
    fn encode<B: Builder>(&self) -> B {
        B::boolean(*self)
    }
}

impl Decode for f64 {
    fn decode<R: Reader>(value: &R) -> Option<Self> {
        value.as_f64()
    }
}

impl Encode for f64 {
    fn encode<B: Builder>(&self) -> B {
        B::float(*self)
    }
}

/// Whole numbers: JSON has only doubles, so a fraction or an out-of-range value fails as it
/// does with serde.
macro_rules! integer {
    ($($ty:ty),*) => {$(
        impl Decode for $ty {
            fn decode<R: Reader>(value: &R) -> Option<Self> {
                let number = value.as_f64()?;
                if number.fract() != 0.0 {
                    return None;
                }
                <$ty>::try_from(number as i64).ok()
            }
        }

        impl Encode for $ty {
            fn encode<B: Builder>(&self) -> B {
                B::int(i64::from(*self))
            }
        }
    )*};
}

integer!(i64, i32, u32, u16, u8);

impl<T: Decode> Decode for Option<T> {
    fn decode<R: Reader>(value: &R) -> Option<Self> {
        if value.is_null() {
            Some(None)
        } else {
            T::decode(value).map(Some)
        }
    }

    fn absent() -> Option<Self> {
        Some(None)
    }
}

impl<T: Encode> Encode for Option<T> {
    fn encode<B: Builder>(&self) -> B {
        self.as_ref().map_or_else(B::null, T::encode)
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode<R: Reader>(value: &R) -> Option<Self> {
        value.items()?.iter().map(T::decode).collect()
    }
}

impl<T: Encode> Encode for Vec<T> {
    fn encode<B: Builder>(&self) -> B {
        B::array(self.iter().map(T::encode).collect())
    }
}

/// A `204 No Content` (or any answer whose body is not needed).
impl Decode for () {
    fn decode<R: Reader>(_: &R) -> Option<Self> {
        Some(())
    }
}
