//! Every error type of the card OS words itself (`Display`), never as its `Debug` form.
#![allow(clippy::unwrap_used)]

use sscard_apdu::StatusWord;
use sscard_card_os::layout::LayoutError;
use sscard_card_os::psam::{ProvisionError, PsamInitError};
use sscard_card_os::store::StoreError;
use sscard_card_os::{FactoryError, InitError};

#[test]
fn errors_display_as_words() {
    let store = [
        StoreError::OutOfRange,
        StoreError::PowerLoss,
        StoreError::Io,
        StoreError::JournalFull,
    ];
    let mut all: Vec<(String, String)> = Vec::new();
    let mut add = |e: &dyn core::fmt::Display, d: String| all.push((e.to_string(), d));
    for s in store {
        add(&s, format!("{s:?}"));
        add(&InitError::Store(s), format!("{:?}", InitError::Store(s)));
    }
    for e in [
        InitError::NotFormatted,
        InitError::LayoutVersion(3),
        InitError::ProfileMismatch,
        InitError::Layout(LayoutError::TooManyEfs),
        InitError::StoreTooSmall,
    ] {
        add(&e, format!("{e:?}"));
    }
    for e in [
        FactoryError::Store(StoreError::Io),
        FactoryError::StoreTooSmall { need: 9 },
        FactoryError::MissingKey(sscard_specs::key::PUK),
        FactoryError::Crypto,
        FactoryError::BadIdentity,
        FactoryError::BadPin,
        FactoryError::Layout(StatusWord::NOT_ENOUGH_MEMORY),
    ] {
        add(&e, format!("{e:?}"));
    }
    for e in [
        PsamInitError::Store(StoreError::Io),
        PsamInitError::NotProvisioned,
        PsamInitError::LayoutVersion(2),
        PsamInitError::ProfileMismatch,
    ] {
        add(&e, format!("{e:?}"));
    }
    for e in [
        ProvisionError::Store(StoreError::PowerLoss),
        ProvisionError::StoreTooSmall,
        ProvisionError::ProfileName,
        ProvisionError::BadTerminalNumber,
        ProvisionError::WrongAlgorithm(sscard_specs::key::STK),
        ProvisionError::LevelMismatch(sscard_specs::key::STK),
        ProvisionError::TooManyKeys,
    ] {
        add(&e, format!("{e:?}"));
    }
    for (text, debug) in &all {
        assert!(!text.is_empty() && text != debug, "{debug}: {text}");
        for part in ["Store(", "Layout(", "{ ", "Io", "TooMany", "Mismatch"] {
            assert!(!text.contains(part), "{debug}: {text}");
        }
    }
    assert_eq!(InitError::NotFormatted.to_string(), "not formatted");
    assert_eq!(
        InitError::Store(StoreError::Io).to_string(),
        "store: I/O error"
    );
    assert_eq!(
        FactoryError::MissingKey(sscard_specs::key::PUK).to_string(),
        "the issuer key set lacks root key PUK"
    );
}
