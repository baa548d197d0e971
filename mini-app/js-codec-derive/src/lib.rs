//! `#[derive(Decode, Encode)]` for `js-codec`: the JSON walk of a `shared` DTO, generated
//! from its fields and the `#[serde(...)]` attributes serde itself reads, so the client's
//! codec cannot drift from the api's.
//!
//! Supported (what the shared types use): structs with named fields (generic ones too,
//! each parameter then bound by the trait), enums of unit variants; `rename`,
//! `rename_all` (`snake_case`, `lowercase`), `default`, `default = "path"`,
//! `skip_serializing_if = "path"`, `deny_unknown_fields` (the decoder ignores unknown
//! fields, which serde would reject; the encoder never writes any). Any other serde
//! attribute is a compile error rather than a silent difference from serde.

use proc_macro::TokenStream;
use proc_macro2::TokenStream as Tokens;
use quote::quote;
use syn::{parse_macro_input, Data, DeriveInput, Fields, Ident, LitStr};

/// Implements `js_codec::Decode` as serde's `Deserialize` would read the type.
#[proc_macro_derive(Decode)]
pub fn derive_decode(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input, Direction::Decode)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

/// Implements `js_codec::Encode` as serde's `Serialize` would write the type.
#[proc_macro_derive(Encode)]
pub fn derive_encode(input: TokenStream) -> TokenStream {
    let input = parse_macro_input!(input as DeriveInput);
    expand(&input, Direction::Encode)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}

#[derive(Clone, Copy, PartialEq)]
enum Direction {
    Decode,
    Encode,
}

/// The serde attributes of one item, field or variant that change the JSON.
#[derive(Default)]
struct SerdeAttrs {
    rename: Option<String>,
    rename_all: Option<String>,
    /// `Some(None)`: `#[serde(default)]`; `Some(Some(path))`: `default = "path"`.
    default: Option<Option<syn::Path>>,
    skip_serializing_if: Option<syn::Path>,
}

fn serde_attrs(attrs: &[syn::Attribute]) -> syn::Result<SerdeAttrs> {
    let mut out = SerdeAttrs::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("serde")) {
        attr.parse_nested_meta(|meta| {
            let name = meta
                .path
                .get_ident()
                .map(ToString::to_string)
                .unwrap_or_default();
            match name.as_str() {
                "rename" => out.rename = Some(meta.value()?.parse::<LitStr>()?.value()),
                "rename_all" => out.rename_all = Some(meta.value()?.parse::<LitStr>()?.value()),
                "default" if meta.input.peek(syn::Token![=]) => {
                    out.default = Some(Some(meta.value()?.parse::<LitStr>()?.parse()?));
                }
                "default" => out.default = Some(None),
                "skip_serializing_if" => {
                    out.skip_serializing_if = Some(meta.value()?.parse::<LitStr>()?.parse()?);
                }
                "deny_unknown_fields" => {}
                _ => return Err(meta.error("js-codec does not support this serde attribute")),
            }
            Ok(())
        })?;
    }
    Ok(out)
}

/// A Rust name as serde writes it under `rename_all`.
fn renamed(ident: &Ident, rule: Option<&str>) -> syn::Result<String> {
    let name = ident.to_string();
    match rule {
        None => Ok(name),
        Some("lowercase") => Ok(name.to_lowercase()),
        Some("snake_case") => {
            let mut out = String::new();
            for (i, ch) in name.chars().enumerate() {
                if ch.is_uppercase() && i > 0 {
                    out.push('_');
                }
                out.extend(ch.to_lowercase());
            }
            Ok(out)
        }
        Some(other) => Err(syn::Error::new(
            ident.span(),
            format!("js-codec does not support rename_all = \"{other}\""),
        )),
    }
}

fn expand(input: &DeriveInput, direction: Direction) -> syn::Result<Tokens> {
    let container = serde_attrs(&input.attrs)?;
    if container.default.is_some() || container.skip_serializing_if.is_some() {
        return Err(unsupported(input, "container-level default or skip"));
    }
    let body = match &input.data {
        Data::Struct(data) => match &data.fields {
            Fields::Named(fields) => struct_body(fields, &container, direction)?,
            _ => return Err(unsupported(input, "structs with unnamed fields")),
        },
        Data::Enum(data) => enum_body(data, &container, direction)?,
        Data::Union(_) => return Err(unsupported(input, "unions")),
    };
    let name = &input.ident;
    let bound: syn::Path = match direction {
        Direction::Decode => syn::parse_quote!(::js_codec::Decode),
        Direction::Encode => syn::parse_quote!(::js_codec::Encode),
    };
    let mut generics = input.generics.clone();
    for param in generics.type_params_mut() {
        param.bounds.push(syn::parse_quote!(#bound));
    }
    let (impl_generics, type_generics, where_clause) = generics.split_for_impl();
    let method = match direction {
        Direction::Decode => quote! {
            fn decode<R: ::js_codec::Reader>(value: &R) -> ::core::option::Option<Self> { #body }
        },
        Direction::Encode => quote! {
            fn encode<B: ::js_codec::Builder>(&self) -> B { #body }
        },
    };
    Ok(quote! {
        #[automatically_derived]
        impl #impl_generics #bound for #name #type_generics #where_clause { #method }
    })
}

fn unsupported(input: &DeriveInput, what: &str) -> syn::Error {
    syn::Error::new(
        input.ident.span(),
        format!("js-codec does not derive {what}"),
    )
}

fn struct_body(
    fields: &syn::FieldsNamed,
    container: &SerdeAttrs,
    direction: Direction,
) -> syn::Result<Tokens> {
    let mut decoded = Vec::new();
    let mut encoded = Vec::new();
    for field in &fields.named {
        let Some(ident) = &field.ident else {
            continue;
        };
        let attrs = serde_attrs(&field.attrs)?;
        let key = match attrs.rename {
            Some(key) => key,
            None => renamed(ident, container.rename_all.as_deref())?,
        };
        decoded.push(match &attrs.default {
            None => quote! { #ident: ::js_codec::field(value, #key)? },
            Some(None) => quote! {
                #ident: ::js_codec::field_or(value, #key, ::core::default::Default::default)?
            },
            Some(Some(path)) => quote! { #ident: ::js_codec::field_or(value, #key, #path)? },
        });
        let push = quote! { fields.push((#key, ::js_codec::Encode::encode(&self.#ident))); };
        encoded.push(match &attrs.skip_serializing_if {
            Some(skip) => quote! { if !#skip(&self.#ident) { #push } },
            None => push,
        });
    }
    Ok(match direction {
        Direction::Decode => quote! {
            if !::js_codec::Reader::is_object(value) {
                return ::core::option::Option::None;
            }
            ::core::option::Option::Some(Self { #(#decoded,)* })
        },
        Direction::Encode => {
            let count = encoded.len();
            quote! {
                let mut fields = ::std::vec::Vec::with_capacity(#count);
                #(#encoded)*
                B::object(fields)
            }
        }
    })
}

fn enum_body(
    data: &syn::DataEnum,
    container: &SerdeAttrs,
    direction: Direction,
) -> syn::Result<Tokens> {
    let mut idents = Vec::new();
    let mut names = Vec::new();
    for variant in &data.variants {
        if !matches!(variant.fields, Fields::Unit) {
            return Err(syn::Error::new(
                variant.ident.span(),
                "js-codec derives only enums of unit variants",
            ));
        }
        let attrs = serde_attrs(&variant.attrs)?;
        names.push(match attrs.rename {
            Some(name) => name,
            None => renamed(&variant.ident, container.rename_all.as_deref())?,
        });
        idents.push(&variant.ident);
    }
    Ok(match direction {
        Direction::Decode => quote! {
            match ::js_codec::Reader::as_string(value)?.as_str() {
                #(#names => ::core::option::Option::Some(Self::#idents),)*
                _ => ::core::option::Option::None,
            }
        },
        Direction::Encode => quote! {
            B::string(match self { #(Self::#idents => #names,)* })
        },
    })
}
