//! Bad card images (issue 11 item 8): a file that is empty, truncated, or whose header or
//! structure is damaged gives "<path>: not a card image: <what is wrong>" (exit code 2), never a
//! transport or store error.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod common;

use common::*;
use sscard_card_os::factory::test_issuer_keys;
use sscard_card_os::CARD_STORE_SIZE;
use sscard_specs::SpecVersion;
use sscard_terminal::error::{CardImageDefect, ImageError};
use sscard_terminal::transport::emulator::{
    create_image, identity, EmulatorOptions, EmulatorTransport,
};
use sscard_terminal::Error;

fn open(path: &std::path::Path) -> Result<(), Error> {
    EmulatorTransport::open_image(path, EmulatorOptions::default()).map(|_| ())
}

#[test]
fn bad_card_images_say_what_is_wrong() {
    let dir = std::env::temp_dir().join(format!("sscard-images-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let good = dir.join("good.img");
    let profile = profile_for(SpecVersion::V2_00);
    create_image(
        &good,
        profile,
        SpecVersion::V2_00,
        identity("110100", "00000001").unwrap(),
        &test_issuer_keys(profile),
        INITIAL_PIN,
        false,
    )
    .unwrap();
    open(&good).unwrap();
    let bytes = std::fs::read(&good).unwrap();
    assert_eq!(bytes.len(), CARD_STORE_SIZE);
    let header = bytes.windows(4).position(|w| w == b"SSC\x01").unwrap();

    let variant = |name: &str, f: &dyn Fn(&mut Vec<u8>)| {
        let mut b = bytes.clone();
        f(&mut b);
        let p = dir.join(name);
        std::fs::write(&p, b).unwrap();
        p
    };
    let cases: Vec<(std::path::PathBuf, Option<CardImageDefect>, &str)> = vec![
        (
            variant("empty.img", &|b| b.clear()),
            Some(CardImageDefect::Empty),
            "the file is empty",
        ),
        (
            variant("short.img", &|b| b.truncate(1000)),
            Some(CardImageDefect::Truncated {
                len: 1000,
                need: CARD_STORE_SIZE,
            }),
            "truncated: 1000 bytes, a card image has 24576",
        ),
        (
            variant("minus1.img", &|b| {
                b.pop();
            }),
            Some(CardImageDefect::Truncated {
                len: (CARD_STORE_SIZE - 1) as u64,
                need: CARD_STORE_SIZE,
            }),
            "truncated",
        ),
        (
            variant("layout.img", &|b| b[header + 4] = 7),
            Some(CardImageDefect::LayoutVersion(7)),
            "layout version 7",
        ),
        (
            variant("noheader.img", &|b| b[header] = b'X'),
            None,
            "no valid card header",
        ),
        (
            variant("text.img", &|b| {
                *b = b"not a card".repeat(CARD_STORE_SIZE / 10 + 1);
            }),
            None,
            "no valid card header",
        ),
    ];
    for (path, defect, text) in cases {
        let e = open(&path).unwrap_err();
        let shown = e.to_string();
        let name = path.display().to_string();
        assert!(
            shown.starts_with(&format!("{name}: not a card image: ")),
            "{shown}"
        );
        assert!(shown.contains(text), "{shown}");
        match (&e, defect) {
            (
                Error::Image {
                    reason: ImageError::CorruptCardImage(d),
                    ..
                },
                Some(want),
            ) => assert_eq!(*d, want),
            (
                Error::Image {
                    reason: ImageError::NotCardImage,
                    ..
                },
                None,
            ) => {}
            other => panic!("{name}: {other:?}"),
        }
        assert_eq!(e.exit_code(), 2, "{shown}");
        assert!(!matches!(e, Error::Transport(_)));
    }
    let _ = std::fs::remove_dir_all(&dir);
}
