//! Every parser of sscard-apdu on arbitrary bytes: no panic, and accepted inputs re-encode to
//! the same bytes (commands, responses, single records) or round-trip (FCI).
#![no_main]

use libfuzzer_sys::fuzz_target;
use sscard_apdu::fci::Fci;
use sscard_apdu::record::{Record, RecordIter};
use sscard_apdu::{CommandView, ResponseView};

fuzz_target!(|data: &[u8]| {
    if let Ok(view) = CommandView::parse(data) {
        let mut out = vec![0u8; view.encoded_len()];
        let n = view.encode(&mut out).expect("an accepted APDU re-encodes");
        assert_eq!(&out[..n], data, "parse -> encode is the identity");
    }

    if let Ok(resp) = ResponseView::parse(data) {
        let mut out = vec![0u8; resp.encoded_len()];
        let n = resp.encode(&mut out).expect("a response re-encodes");
        assert_eq!(&out[..n], data);
    }

    for rec in RecordIter::new(data).flatten() {
        for sub in rec.sub_items() {
            let _ = sub;
        }
    }
    if let Ok(Some(rec)) = Record::parse(data) {
        let mut out = vec![0u8; rec.encoded_len()];
        let n = rec.encode(&mut out).expect("an accepted record re-encodes");
        assert_eq!(&out[..n], data);
    }

    if let Ok(fci) = Fci::parse(data) {
        if let Ok(bytes) = fci.to_vec() {
            assert_eq!(Fci::parse(&bytes).as_ref(), Ok(&fci), "FCI build -> parse round-trips");
        }
    }
});
