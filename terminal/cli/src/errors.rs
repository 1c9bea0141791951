//! How `sscard` prints an error: the library's message (which never names a command-line option)
//! plus, where an option of this command line is the way out, a hint naming it.

use sscard_terminal::error::{Error, ImageError, ImageKind};

/// The hint for `e`, empty when the message says it all.
fn hint(e: &Error) -> String {
    match e {
        Error::Image {
            path,
            reason: ImageError::Missing(ImageKind::Card) | ImageError::NotCardImage,
        } => format!(" (create one with `sscard init --emulator {path} --keys FILE`)"),
        Error::Image {
            path,
            reason: ImageError::Missing(ImageKind::Psam) | ImageError::NotPsamImage,
        } => format!(" (create one with `sscard psam init --keys FILE --out {path}`)"),
        Error::Image {
            reason: ImageError::Exists,
            ..
        } => "; pass --force to overwrite it".to_string(),
        Error::NoSecurityModule => " (--keys FILE)".to_string(),
        _ => String::new(),
    }
}

/// The one-line message `sscard` prints for `e` (after `sscard: ` on stderr, or as the `error`
/// of a JSON line).
pub fn message(e: &Error) -> String {
    format!("{e}{}", hint(e))
}
