//! Property tests: round trips and "never panics" for every parser of sscard-apdu.
//! The number of cases follows `PROPTEST_CASES` (proptest's default otherwise).

use proptest::prelude::*;
use sscard_apdu::exchange::{exchange_with_stats, ExchangeStats, RawTransmit, T0Policy};
use sscard_apdu::record::{encode_record, Record, RecordIter};
use sscard_apdu::{Command, CommandView, ResponseView, StatusWord};

fn ne_strategy() -> impl Strategy<Value = Option<u32>> {
    prop_oneof![
        Just(None),
        (1u32..=256).prop_map(Some),
        (1u32..=65_536).prop_map(Some),
        Just(Some(65_536)),
    ]
}

/// Byte strings shaped like APDUs (header, length bytes, body, maybe Le), often slightly off.
fn apdu_like() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<[u8; 4]>(),
        prop_oneof![
            Just(vec![]),
            any::<u8>().prop_map(|b| vec![b]),
            any::<[u8; 3]>().prop_map(|b| b.to_vec()),
            (0u16..=400).prop_map(|l| {
                let [h, lo] = l.to_be_bytes();
                vec![0, h, lo]
            })
        ],
        proptest::collection::vec(any::<u8>(), 0..=300),
        proptest::collection::vec(any::<u8>(), 0..=2),
    )
        .prop_map(|(h, lc, data, le)| {
            let mut v = h.to_vec();
            v.extend(lc);
            v.extend(data);
            v.extend(le);
            v
        })
}

fn parse_encode_identity(bytes: &[u8]) {
    if let Ok(view) = CommandView::parse(bytes) {
        assert_eq!(view.encoded_len(), bytes.len());
        let mut out = vec![0u8; bytes.len()];
        assert_eq!(view.encode(&mut out), Ok(bytes.len()));
        assert_eq!(out, bytes);
        // and the owned copy agrees whenever the form it picks is the same
        let owned = Command::<65_535>::from_view(&view).unwrap();
        assert_eq!(owned.data(), view.data);
        assert_eq!(owned.ne(), view.ne);
    }
}

proptest! {
    #[test]
    fn command_roundtrip(cla: u8, ins: u8, p1: u8, p2: u8,
                         data in proptest::collection::vec(any::<u8>(), 0..=300),
                         ne in ne_strategy()) {
        let mut cmd = Command::<300>::new(cla, ins, p1, p2).with_data(&data).unwrap();
        if let Some(ne) = ne {
            cmd = cmd.with_ne(ne);
        }
        let mut buf = vec![0u8; cmd.encoded_len()];
        let n = cmd.encode(&mut buf).unwrap();
        prop_assert_eq!(n, buf.len());
        let view = CommandView::parse(&buf).unwrap();
        prop_assert_eq!(view, cmd.view());
        prop_assert_eq!(view.extended, data.len() > 255 || ne.is_some_and(|n| n > 256));
        prop_assert_eq!(Command::<300>::from_view(&view).unwrap(), cmd);
    }

    #[test]
    fn command_mac_roundtrip(cla: u8, ins: u8, p1: u8, p2: u8,
                             data in proptest::collection::vec(any::<u8>(), 0..=251),
                             mac: [u8; 4]) {
        let cmd = Command::<255>::new(cla, ins, p1, p2).with_data(&data).unwrap()
            .with_mac_appended().unwrap();
        let mi = cmd.mac_input();
        let header = mi.header().to_vec();
        prop_assert_eq!(&header[..], &[cla | 4, ins, p1, p2, (data.len() + 4) as u8][..]);
        prop_assert_eq!(mi.data(), &data[..]);
        let cmd = cmd.append_mac(&mac).unwrap();
        let mut buf = [0u8; 261];
        let n = cmd.encode(&mut buf).unwrap();
        let view = CommandView::parse(&buf[..n]).unwrap();
        prop_assert!(view.is_secure_messaging());
        prop_assert_eq!(&view.data[..data.len()], &data[..]);
        prop_assert_eq!(&view.data[data.len()..], &mac[..]);
        prop_assert_eq!(&view.header()[..], &header[..4]);
    }

    #[test]
    fn command_parse_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..=600)) {
        parse_encode_identity(&bytes);
    }

    #[test]
    fn command_parse_apdu_like(bytes in apdu_like()) {
        parse_encode_identity(&bytes);
    }

    #[test]
    fn response_parse(bytes in proptest::collection::vec(any::<u8>(), 0..=300)) {
        match ResponseView::parse(&bytes) {
            Ok(r) => {
                prop_assert_eq!(r.data.len() + 2, bytes.len());
                let mut out = vec![0u8; bytes.len()];
                prop_assert_eq!(r.encode(&mut out), Ok(bytes.len()));
                prop_assert_eq!(out, bytes);
            }
            Err(_) => prop_assert!(bytes.len() < 2),
        }
    }

    #[test]
    fn records_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..=600)) {
        let mut count = 0usize;
        for item in RecordIter::new(&bytes) {
            count += 1;
            if let Ok(r) = item {
                if let Ok(subs) = r.sub_items().collect::<Result<Vec<_>, _>>() {
                    prop_assert!(subs.len() <= r.value.len());
                }
            }
        }
        prop_assert!(count <= bytes.len() / 2 + 1);
        if let Ok(Some(r)) = Record::parse(&bytes) {
            let mut out = vec![0u8; bytes.len()];
            prop_assert_eq!(r.encode(&mut out), Ok(bytes.len()));
            prop_assert_eq!(out, bytes);
        }
    }

    #[test]
    fn records_roundtrip(items in proptest::collection::vec(
        (1u8..=254, proptest::collection::vec(any::<u8>(), 0..=300)), 0..8)) {
        let mut buf = vec![0u8; 8 * 310];
        let mut pos = 0;
        for (tag, value) in &items {
            pos += encode_record(*tag, value, &mut buf[pos..]).unwrap();
        }
        let parsed: Vec<Record> = RecordIter::new(&buf[..pos]).collect::<Result<_, _>>().unwrap();
        prop_assert_eq!(parsed.len(), items.len());
        for (r, (tag, value)) in parsed.iter().zip(&items) {
            prop_assert_eq!(r.tag, *tag);
            prop_assert_eq!(r.value, &value[..]);
        }
    }

    #[test]
    fn exchange_reassembles_61xx_chunks(payload in proptest::collection::vec(any::<u8>(), 0..=700),
                                        chunk in 3usize..=256, first_le in 1u32..=256) {
        // 700 bytes in chunks of 3 or more stay within 255 GET RESPONSE rounds
        let mut card = ChunkingCard { payload: payload.clone(), chunk, pos: 0 };
        let cmd = Command::<255>::new(0x00, 0xB0, 0, 0).with_ne(first_le);
        let mut out = vec![0u8; payload.len() + 260];
        let mut stats = ExchangeStats::default();
        let policy = T0Policy { max_rounds: 255, ..T0Policy::DEFAULT };
        let (n, sw) = exchange_with_stats(&mut card, &cmd.view(), &policy, &mut out, &mut stats).unwrap();
        prop_assert_eq!(sw, StatusWord::OK);
        prop_assert_eq!(&out[..n], &payload[..]);
        prop_assert_eq!(stats.apdus_sent, stats.get_responses + 1);
    }

    #[test]
    fn exchange_random_answers_never_panic(answers in proptest::collection::vec(
        proptest::collection::vec(any::<u8>(), 0..=40), 1..10), out_len in 0usize..300) {
        let mut card = RandomCard { answers, i: 0 };
        let cmd = CommandView::parse(&[0x00, 0xB2, 0x01, 0x05, 0x10]).unwrap();
        let mut out = vec![0u8; out_len];
        let _ = exchange_with_stats(&mut card, &cmd, &T0Policy::DEFAULT, &mut out, &mut ExchangeStats::default());
    }
}

#[cfg(feature = "alloc")]
proptest! {
    #[test]
    fn fci_parse_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..=300)) {
        let _ = sscard_apdu::fci::Fci::parse(&bytes);
        let mut tlv = vec![0x6F, bytes.len().min(0x7F) as u8];
        tlv.extend_from_slice(&bytes);
        let _ = sscard_apdu::fci::Fci::parse(&tlv);
    }

    #[test]
    fn fci_build_parse_roundtrip(name in proptest::collection::vec(any::<u8>(), 1..=16),
                                 sfi: u8, alg in proptest::option::of(any::<u8>())) {
        use sscard_apdu::fci::{write_fci, Fci};
        let mut out = [0u8; 64];
        let n = write_fci(&name, sfi, alg, &mut out).unwrap();
        let fci = Fci::parse(&out[..n]).unwrap();
        prop_assert_eq!(&fci, &Fci { df_name: name.clone(), sfi: Some(sfi), algorithm_id: alg });
        prop_assert_eq!(fci.to_vec().unwrap(), &out[..n]);
    }
}

/// A T=0 card that hands out `payload` in chunks of at most `chunk` bytes via `61xx`.
struct ChunkingCard {
    payload: Vec<u8>,
    chunk: usize,
    pos: usize,
}

impl RawTransmit for ChunkingCard {
    type Error = ();
    fn transmit_raw(&mut self, cmd: &[u8], resp: &mut [u8]) -> Result<usize, ()> {
        let view = CommandView::parse(cmd).map_err(|_| ())?;
        let le = view.ne.unwrap_or(0) as usize;
        let first = view.ins == 0xB0;
        let give = if first {
            0
        } else {
            le.min(self.payload.len() - self.pos)
        };
        let data = &self.payload[self.pos..self.pos + give];
        self.pos += give;
        resp.get_mut(..give).ok_or(())?.copy_from_slice(data);
        let left = self.payload.len() - self.pos;
        let sw = if left == 0 {
            StatusWord::OK
        } else {
            StatusWord::more_data(left.min(self.chunk) as u8)
        };
        resp.get_mut(give..give + 2)
            .ok_or(())?
            .copy_from_slice(&sw.to_bytes());
        Ok(give + 2)
    }
}

/// Answers with arbitrary bytes (truncated to the buffer), then fails.
struct RandomCard {
    answers: Vec<Vec<u8>>,
    i: usize,
}

impl RawTransmit for RandomCard {
    type Error = ();
    fn transmit_raw(&mut self, _cmd: &[u8], resp: &mut [u8]) -> Result<usize, ()> {
        let a = self.answers.get(self.i).ok_or(())?;
        self.i += 1;
        let n = a.len().min(resp.len());
        resp[..n].copy_from_slice(&a[..n]);
        Ok(a.len()) // may lie about the length: must be reported, not panic
    }
}
