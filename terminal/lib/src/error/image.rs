//! [`ImageError`]: why a card or PSAM image file (the emulated card's storage) cannot be used,
//! and [`CardOsError`], the card OS's own refusals, described for people.

#[cfg(feature = "emulator")]
use std::fmt;

#[cfg(feature = "emulator")]
use sscard_card_os::layout::LayoutError;
#[cfg(feature = "emulator")]
use sscard_card_os::psam::{ProvisionError, PsamInitError};
#[cfg(feature = "emulator")]
use sscard_card_os::store::StoreError;
#[cfg(feature = "emulator")]
use sscard_card_os::{FactoryError, InitError};

/// Which kind of image a path was meant to hold.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ImageKind {
    /// A card image (`sscard init`).
    Card,
    /// A PSAM image (`sscard psam init`).
    Psam,
}

/// Why an image file cannot be opened, created or written (the path is in [`super::Error::Image`]).
#[derive(Debug, thiserror::Error)]
pub enum ImageError {
    /// No file at the path.
    #[error("no {} image", kind_name(*.0))]
    Missing(ImageKind),
    /// The file is not a (formatted) card image: it has no valid card header.
    #[error("not a card image: no valid card header")]
    NotCardImage,
    /// The file is not a usable card image: truncated, or its header or structure is damaged.
    #[error("not a card image: {0}")]
    CorruptCardImage(CardImageDefect),
    /// The file is not a (provisioned) PSAM image.
    #[error("not a PSAM image")]
    NotPsamImage,
    /// The image was made for an algorithm suite that is not a built-in profile.
    #[error("the image's algorithm suite is not a built-in profile")]
    UnknownSuite,
    /// A new image would replace an existing file, and replacing was not asked for.
    #[error("exists")]
    Exists,
    /// The existing file could not be removed.
    #[error("cannot replace it: {0}")]
    Replace(std::io::Error),
    /// The new image file could not be created.
    #[cfg(feature = "emulator")]
    #[error("cannot create it: {0}")]
    Create(CardOsError),
    /// The card OS refused the image (opening, factory initialisation, provisioning) or its
    /// store failed ([`CardOsError::Store`]: the image's medium, like a reader failing).
    #[cfg(feature = "emulator")]
    #[error("{0}")]
    CardOs(CardOsError),
}

/// What is wrong with a file that should be a card image ([`ImageError::CorruptCardImage`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CardImageDefect {
    /// The file has no bytes.
    #[error("the file is empty")]
    Empty,
    /// The file is shorter than every card image.
    #[error("truncated: {len} bytes, a card image has {need}")]
    Truncated {
        /// The file's length.
        len: u64,
        /// A card image's length.
        need: usize,
    },
    /// The header names a layout version this card OS does not read.
    #[error("its header names layout version {0}, not this card OS's")]
    LayoutVersion(u8),
    /// The header's spec version needs more room than the file has.
    #[error("smaller than the layout its header names")]
    TooSmallForLayout,
    /// Reading the image's own structures leads outside the file.
    #[error("its structure points outside the file (truncated or corrupt)")]
    OutOfRange,
}

fn kind_name(kind: ImageKind) -> &'static str {
    match kind {
        ImageKind::Card => "card",
        ImageKind::Psam => "PSAM",
    }
}

impl ImageError {
    /// True when the image's storage failed (I/O), as opposed to the image being wrong.
    pub fn is_store_failure(&self) -> bool {
        #[cfg(feature = "emulator")]
        return matches!(self, ImageError::CardOs(CardOsError::Store(_)));
        #[cfg(not(feature = "emulator"))]
        false
    }
}

/// The message of [`super::Error::Image`]: the reason phrased around the path.
pub(super) fn image_message(path: &str, reason: &ImageError) -> String {
    match reason {
        ImageError::Missing(kind) => format!("no {} image at {path}", kind_name(*kind)),
        ImageError::NotCardImage | ImageError::CorruptCardImage(_) => format!("{path}: {reason}"),
        ImageError::NotPsamImage => format!("{path} is not a PSAM image"),
        ImageError::UnknownSuite => format!("{path}: {reason}"),
        ImageError::Exists => format!("{path} exists"),
        ImageError::Replace(e) => format!("cannot replace {path}: {e}"),
        #[cfg(feature = "emulator")]
        ImageError::Create(e) => format!("cannot create {path}: {e}"),
        #[cfg(feature = "emulator")]
        ImageError::CardOs(e @ CardOsError::Store(_)) => format!("{path}: image store: {e}"),
        #[cfg(feature = "emulator")]
        ImageError::CardOs(e @ (CardOsError::Init(_) | CardOsError::PsamInit(_))) => {
            format!("{path}: cannot open the image: {e}")
        }
        #[cfg(feature = "emulator")]
        ImageError::CardOs(e @ CardOsError::Factory(_)) => {
            format!("factory initialisation of {path} failed: {e}")
        }
        #[cfg(feature = "emulator")]
        ImageError::CardOs(e @ CardOsError::Provision(_)) => {
            format!("provisioning {path} failed: {e}")
        }
    }
}

#[cfg(feature = "emulator")]
/// An error of the card OS's image code. The card OS's error types have no `Display` yet: the
/// [`fmt::Display`] impl below is the one place that describes them (swap it for `{e}` once they
/// have one).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CardOsError {
    /// The image's store (the file behind it) failed.
    Store(StoreError),
    /// `Card::new` refused the image.
    Init(InitError),
    /// `Psam::open` refused the image.
    PsamInit(PsamInitError),
    /// Factory initialisation failed.
    Factory(FactoryError),
    /// PSAM provisioning failed.
    Provision(ProvisionError),
}

#[cfg(feature = "emulator")]
impl From<StoreError> for CardOsError {
    fn from(e: StoreError) -> Self {
        CardOsError::Store(e)
    }
}

#[cfg(feature = "emulator")]
impl From<InitError> for CardOsError {
    /// A store failure inside is kept as [`CardOsError::Store`].
    fn from(e: InitError) -> Self {
        match e {
            InitError::Store(s) => CardOsError::Store(s),
            other => CardOsError::Init(other),
        }
    }
}

#[cfg(feature = "emulator")]
impl From<PsamInitError> for CardOsError {
    /// A store failure inside is kept as [`CardOsError::Store`].
    fn from(e: PsamInitError) -> Self {
        match e {
            PsamInitError::Store(s) => CardOsError::Store(s),
            other => CardOsError::PsamInit(other),
        }
    }
}

#[cfg(feature = "emulator")]
impl From<FactoryError> for CardOsError {
    fn from(e: FactoryError) -> Self {
        CardOsError::Factory(e)
    }
}

#[cfg(feature = "emulator")]
impl From<ProvisionError> for CardOsError {
    fn from(e: ProvisionError) -> Self {
        CardOsError::Provision(e)
    }
}

#[cfg(feature = "emulator")]
impl fmt::Display for CardOsError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fn store(e: &StoreError) -> &'static str {
            match e {
                StoreError::OutOfRange => "access outside the store",
                StoreError::PowerLoss => "power lost during a write",
                StoreError::Io => "I/O error",
                StoreError::JournalFull => "journal full",
            }
        }
        match self {
            CardOsError::Store(e) => f.write_str(store(e)),
            CardOsError::Init(e) => match e {
                InitError::Store(s) => write!(f, "image store: {}", store(s)),
                InitError::NotFormatted => f.write_str("not formatted"),
                InitError::LayoutVersion(v) => {
                    write!(f, "formatted with layout version {v}, not this card OS's")
                }
                InitError::ProfileMismatch => {
                    f.write_str("formatted for another algorithm suite than the profile's")
                }
                InitError::Layout(LayoutError::TooManyEfs) => {
                    f.write_str("the spec tables do not fit the layout (too many EFs)")
                }
                InitError::StoreTooSmall => f.write_str("smaller than the layout needs"),
            },
            CardOsError::PsamInit(e) => match e {
                PsamInitError::Store(s) => write!(f, "image store: {}", store(s)),
                PsamInitError::NotProvisioned => f.write_str("not provisioned"),
                PsamInitError::LayoutVersion(v) => {
                    write!(f, "provisioned with layout version {v}, not this PSAM's")
                }
                PsamInitError::ProfileMismatch => {
                    f.write_str("provisioned for a profile that is not built in")
                }
            },
            CardOsError::Factory(e) => match e {
                FactoryError::Store(s) => write!(f, "image store: {}", store(s)),
                FactoryError::StoreTooSmall { need } => {
                    write!(f, "the store is too small ({need} bytes needed)")
                }
                FactoryError::MissingKey(name) => {
                    write!(f, "the issuer key set lacks root key {name}")
                }
                FactoryError::Crypto => f.write_str(
                    "key derivation or MAC failed (a key of another algorithm than the profile's)",
                ),
                FactoryError::BadIdentity => f.write_str("the region code is not BCD"),
                FactoryError::BadPin => f.write_str("the PIN is not 4–12 digits"),
                FactoryError::Layout(sw) => {
                    write!(f, "the spec tables do not fit the layout ({sw})")
                }
            },
            CardOsError::Provision(e) => match e {
                ProvisionError::Store(s) => write!(f, "image store: {}", store(s)),
                ProvisionError::StoreTooSmall => {
                    f.write_str("the store is smaller than a PSAM image")
                }
                ProvisionError::ProfileName => {
                    f.write_str("the profile name is longer than 16 bytes")
                }
                ProvisionError::BadTerminalNumber => {
                    f.write_str("the terminal number is not 12 BCD digits")
                }
                ProvisionError::WrongAlgorithm(name) => {
                    write!(f, "root key {name} is not of the profile's key algorithm")
                }
                ProvisionError::LevelMismatch(name) => write!(
                    f,
                    "root key {name} has other diversification levels than the specs give it"
                ),
                ProvisionError::TooManyKeys => {
                    f.write_str("more keys than the PSAM's key table holds")
                }
            },
        }
    }
}
