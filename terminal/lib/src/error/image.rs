//! [`ImageError`]: why a card or PSAM image file (the emulated card's storage) cannot be used,
//! and [`CardOsError`], the card OS's own refusals, described for people.

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
/// An error of the card OS's image code, worded by the card OS's own `Display` (this type only
/// sorts them: a store failure inside any of them is kept as [`CardOsError::Store`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
pub enum CardOsError {
    /// The image's store (the file behind it) failed.
    #[error(transparent)]
    Store(StoreError),
    /// `Card::new` refused the image.
    #[error(transparent)]
    Init(InitError),
    /// `Psam::open` refused the image.
    #[error(transparent)]
    PsamInit(PsamInitError),
    /// Factory initialisation failed.
    #[error(transparent)]
    Factory(FactoryError),
    /// PSAM provisioning failed.
    #[error(transparent)]
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
