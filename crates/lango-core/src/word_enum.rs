//! Statuses and kinds that are stored as words: one macro gives each its word, its parse,
//! `Display` and `FromStr`, so no status is compared as a string outside its own type.

/// Declares an enum whose values are stored and sent as the given words:
/// `as_str`, `ALL` (declaration order), `parse`, `Display` and `FromStr` (a stored word that
/// is none of them is an internal error: the database holds only what the code wrote).
#[macro_export]
macro_rules! word_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $($(#[$vmeta:meta])* $variant:ident = $word:literal,)+
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        $vis enum $name {
            $($(#[$vmeta])* $variant,)+
        }

        impl $name {
            /// Every value, in the order declared.
            pub const ALL: &'static [$name] = &[$($name::$variant,)+];

            /// The word stored, sent in events and the API.
            pub fn as_str(self) -> &'static str {
                match self {
                    $($name::$variant => $word,)+
                }
            }

            /// Reads a word; `None` when it is none of them.
            pub fn parse(word: &str) -> ::core::option::Option<$name> {
                match word {
                    $($word => ::core::option::Option::Some($name::$variant),)+
                    _ => ::core::option::Option::None,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl std::str::FromStr for $name {
            type Err = $crate::Error;

            fn from_str(word: &str) -> ::core::result::Result<$name, $crate::Error> {
                $name::parse(word).ok_or_else(|| {
                    $crate::Error::Internal(format!(
                        concat!("stored ", stringify!($name), " {:?} is not one"),
                        word
                    ))
                })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    crate::word_enum! {
        /// A test enum.
        enum Light {
            /// Go.
            Green = "green",
            /// Stop.
            Red = "red",
        }
    }

    #[test]
    fn every_word_parses_back_and_others_are_refused() {
        for l in Light::ALL {
            assert_eq!(Light::parse(l.as_str()), Some(*l));
            assert_eq!(l.to_string().parse::<Light>().unwrap(), *l);
        }
        assert_eq!(Light::parse("amber"), None);
        assert!("amber".parse::<Light>().is_err());
    }
}
