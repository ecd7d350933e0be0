//! Macros for value types that travel as JSON strings.

/// Implements `Serialize` (as `as_str()`) and a `utoipa` string schema for a value type.
macro_rules! string_serialize {
    ($ty:ty, $description:literal, $example:literal) => {
        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl ::utoipa::PartialSchema for $ty {
            fn schema() -> ::utoipa::openapi::RefOr<::utoipa::openapi::schema::Schema> {
                ::utoipa::openapi::schema::ObjectBuilder::new()
                    .schema_type(::utoipa::openapi::schema::Type::String)
                    .description(Some($description))
                    .examples([$example])
                    .build()
                    .into()
            }
        }

        impl ::utoipa::ToSchema for $ty {}
    };
}
pub(crate) use string_serialize;

/// Implements `Deserialize` from a string through the type's `FromStr`; the parse error's
/// message becomes the deserialisation error.
macro_rules! string_deserialize {
    ($ty:ty) => {
        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                let s = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                s.parse().map_err(<D::Error as ::serde::de::Error>::custom)
            }
        }
    };
}
pub(crate) use string_deserialize;
