//! Property tests: round trips and "never panics" for every parser of sscard-apdu, and for the
//! typed command vocabulary (`CardCommand`, `PsamCommand`): value → encode → parse → decode is
//! the identity, decode never panics, decode → encode reproduces the canonical bytes.
//! The number of cases follows `PROPTEST_CASES` (proptest's default otherwise).
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

use proptest::prelude::*;
use sscard_apdu::commands::purse;
use sscard_apdu::commands::{
    command_name, CardCommand, Instruction, Mac, Protection, PsamCommand, PsamMacKey,
    RecordSelector, SelectBy,
};
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

/// The fields a typed command is built from; [`Fields::card`] / [`Fields::psam`] fold them into
/// a valid value of every variant (borrowing the buffers).
#[derive(Debug, Clone)]
struct Fields {
    kind: u8,
    a: u8,
    b: u8,
    w: u16,
    len: u16,
    flag: bool,
    /// 260 arbitrary bytes.
    data: Vec<u8>,
    /// 16 bytes without `FF` (PINs: `FF` separates CHANGE PIN's fields).
    pins: Vec<u8>,
    mac: [u8; 4],
}

fn fields() -> impl Strategy<Value = Fields> {
    (
        (
            any::<u8>(),
            any::<u8>(),
            any::<u8>(),
            any::<u16>(),
            any::<u16>(),
            any::<bool>(),
        ),
        proptest::collection::vec(any::<u8>(), 260),
        proptest::collection::vec(0u8..=0xFE, 16),
        any::<[u8; 4]>(),
    )
        .prop_map(|((kind, a, b, w, len, flag), data, pins, mac)| Fields {
            kind,
            a,
            b,
            w,
            len,
            flag,
            data,
            pins,
            mac,
        })
}

impl Fields {
    /// `1..=max` bytes of data.
    fn some(&self, max: u16) -> &[u8] {
        &self.data[..usize::from(1 + self.len % max)]
    }

    fn record_sfi(&self) -> Option<u8> {
        Some(self.a % 31).filter(|&s| s != 0)
    }

    fn binary_addr(&self) -> (Option<u8>, u16) {
        if self.flag {
            (Some(1 + self.b % 31), self.w & 0xFF)
        } else {
            (None, self.w & 0x7FFF)
        }
    }

    fn select(&self, child_df: bool) -> SelectBy<'_> {
        match self.b % 5 {
            0 => SelectBy::Fid(None),
            1 => SelectBy::Fid(Some(self.w)),
            2 if child_df => SelectBy::ChildDf(self.w),
            2 | 3 => SelectBy::ChildEf(self.w),
            _ => SelectBy::Name(self.some(16)),
        }
    }

    fn protection(&self) -> Protection<'_> {
        if self.b & 0x80 != 0 {
            Protection::Mac(Mac::new(self.some(251), &self.mac))
        } else {
            Protection::Plain(self.some(255))
        }
    }

    fn card(&self) -> CardCommand<'_> {
        let mac = Mac::new(&[], &self.mac);
        let nonzero = self.a.max(1);
        match self.kind % 23 {
            0 => CardCommand::Select {
                by: self.select(true),
                fci: self.flag,
            },
            1 => {
                let (sfi, offset) = self.binary_addr();
                CardCommand::ReadBinary { sfi, offset }
            }
            2 => {
                let (sfi, offset) = self.binary_addr();
                CardCommand::UpdateBinary {
                    sfi,
                    offset,
                    data: self.protection(),
                }
            }
            3 => CardCommand::ReadRecord {
                sfi: self.record_sfi(),
                mode: match self.b % 3 {
                    0 => RecordSelector::ByTag(self.w as u8),
                    1 => RecordSelector::ByNumber((self.w as u8).max(1)),
                    _ => RecordSelector::AllFrom((self.w as u8).max(1)),
                },
            },
            4 => CardCommand::UpdateRecord {
                sfi: self.record_sfi(),
                number: (self.w as u8).max(1),
                data: self.protection(),
            },
            5 => CardCommand::AppendRecord {
                sfi: self.record_sfi(),
                data: self.protection(),
            },
            6 => CardCommand::Verify {
                pin: &self.pins[..usize::from(self.len % 9)],
            },
            7 => CardCommand::ChangePin {
                old: &self.pins[..usize::from(1 + self.a % 8)],
                // the new PIN may hold FF: only the first FF separates
                new: &self.data[..usize::from(1 + self.b % 8)],
            },
            8 => CardCommand::PinUnblock { mac },
            9 => CardCommand::PinReload {
                mac: Mac::new(self.some(251), &self.mac),
            },
            10 => CardCommand::GetChallenge {
                len: [4, 8, 16][usize::from(self.a % 3)],
            },
            11 => CardCommand::ExternalAuthenticate {
                kid: self.a,
                data: &self.data[..usize::from(self.len % 256)],
            },
            12 => CardCommand::InternalAuthenticate {
                kid: nonzero,
                data: &self.data[..16],
            },
            13 => CardCommand::GetResponse {
                le: 1 + self.w % 256,
            },
            14 => CardCommand::ApplicationBlock {
                permanent: self.flag,
                mac,
            },
            15 => CardCommand::ApplicationUnblock { mac },
            16 => CardCommand::CardBlock { mac },
            17 => CardCommand::InitializeForPurchase(purse::InitPurchase {
                key_index: self.a,
                amounts: self.amounts(),
                terminal: self.data[..6].try_into().unwrap(),
                class: self.b,
            }),
            18 => CardCommand::InitializeForLoad(purse::InitLoad {
                key_index: self.a,
                amount: self.u32_at(6),
                terminal: self.data[10..16].try_into().unwrap(),
            }),
            19 => CardCommand::DebitForPurchase(purse::Debit {
                serial: self.u32_at(20),
                date: self.data[24..28].try_into().unwrap(),
                time: self.data[28..31].try_into().unwrap(),
                mac1: self.mac,
            }),
            20 => CardCommand::CreditForLoad(purse::Credit {
                date: self.data[24..28].try_into().unwrap(),
                time: self.data[28..31].try_into().unwrap(),
                mac2: self.mac,
            }),
            21 => CardCommand::GetTransactionProve {
                kind: if self.flag {
                    purse::ProveKind::Purchase
                } else {
                    purse::ProveKind::Load
                },
                counter: self.w,
            },
            _ => CardCommand::GetBalance,
        }
    }

    fn u32_at(&self, at: usize) -> u32 {
        u32::from_be_bytes(self.data[at..at + 4].try_into().unwrap())
    }

    fn amounts(&self) -> purse::PurseAmounts {
        purse::PurseAmounts {
            personal_account: self.u32_at(32),
            total: self.u32_at(36),
            account_and_fund: self.u32_at(40),
        }
    }

    fn psam(&self) -> PsamCommand<'_> {
        match self.kind % 9 {
            0 => PsamCommand::Select {
                by: self.select(false),
                fci: self.flag,
            },
            1 => {
                let (sfi, offset) = self.binary_addr();
                PsamCommand::ReadBinary { sfi, offset }
            }
            2 => PsamCommand::GetChallenge {
                len: [4, 8, 16][usize::from(self.a % 3)],
            },
            3 => PsamCommand::GetResponse {
                le: 1 + self.w % 256,
            },
            4 => PsamCommand::DiversifyInit {
                usage: self.a,
                id: self.b,
                data: &self.data[..8 * usize::from(1 + self.len % 31)],
            },
            5 => PsamCommand::Encrypt {
                data: self.some(255),
            },
            7 => PsamCommand::InitForPurchase(purse::PsamInitPurchase {
                random: self.data[0..4].try_into().unwrap(),
                counter: self.w,
                amounts: self.amounts(),
                tx_type: self.a,
                date: self.data[24..28].try_into().unwrap(),
                time: self.data[28..31].try_into().unwrap(),
                key_version: self.b,
                alg_id: self.a ^ self.b,
                factors: &self.data[60..60 + 8 * usize::from(1 + self.len % 7)],
            }),
            8 => PsamCommand::VerifyMac2 { mac2: self.mac },
            _ => PsamCommand::Mac {
                key: if self.flag {
                    PsamMacKey::Card
                } else {
                    PsamMacKey::Process
                },
                data: self.some(255),
            },
        }
    }
}

/// The MAC of a MAC'd card command, to swap for a pending one.
fn with_pending_mac(c: CardCommand<'_>) -> Option<CardCommand<'_>> {
    fn pending(m: Mac<'_>) -> Mac<'_> {
        Mac::pending(m.body)
    }
    Some(match c {
        CardCommand::UpdateBinary {
            sfi,
            offset,
            data: Protection::Mac(m),
        } => CardCommand::UpdateBinary {
            sfi,
            offset,
            data: Protection::Mac(pending(m)),
        },
        CardCommand::UpdateRecord {
            sfi,
            number,
            data: Protection::Mac(m),
        } => CardCommand::UpdateRecord {
            sfi,
            number,
            data: Protection::Mac(pending(m)),
        },
        CardCommand::AppendRecord {
            sfi,
            data: Protection::Mac(m),
        } => CardCommand::AppendRecord {
            sfi,
            data: Protection::Mac(pending(m)),
        },
        CardCommand::PinUnblock { mac } => CardCommand::PinUnblock { mac: pending(mac) },
        CardCommand::PinReload { mac } => CardCommand::PinReload { mac: pending(mac) },
        CardCommand::ApplicationBlock { permanent, mac } => CardCommand::ApplicationBlock {
            permanent,
            mac: pending(mac),
        },
        CardCommand::ApplicationUnblock { mac } => {
            CardCommand::ApplicationUnblock { mac: pending(mac) }
        }
        CardCommand::CardBlock { mac } => CardCommand::CardBlock { mac: pending(mac) },
        _ => return None,
    })
}

/// The received MAC header of a decoded card command, if it has one.
fn mac_header(c: &CardCommand<'_>) -> Option<[u8; 5]> {
    match c {
        CardCommand::UpdateBinary {
            data: Protection::Mac(m),
            ..
        }
        | CardCommand::UpdateRecord {
            data: Protection::Mac(m),
            ..
        }
        | CardCommand::AppendRecord {
            data: Protection::Mac(m),
            ..
        }
        | CardCommand::PinUnblock { mac: m }
        | CardCommand::PinReload { mac: m }
        | CardCommand::ApplicationBlock { mac: m, .. }
        | CardCommand::ApplicationUnblock { mac: m }
        | CardCommand::CardBlock { mac: m } => Some(m.header),
        _ => None,
    }
}

/// Whether Le belongs to the command's value (else it is framing: absent from `to_command`).
fn card_le_is_value(c: &CardCommand<'_>) -> bool {
    matches!(
        c,
        CardCommand::GetChallenge { .. } | CardCommand::GetResponse { .. }
    )
}

fn psam_le_is_value(c: &PsamCommand<'_>) -> bool {
    matches!(
        c,
        PsamCommand::GetChallenge { .. } | PsamCommand::GetResponse { .. }
    )
}

fn bytes_of(cmd: &Command) -> Vec<u8> {
    let mut buf = vec![0u8; cmd.encoded_len()];
    let n = cmd.encode(&mut buf).unwrap();
    buf.truncate(n);
    buf
}

/// Short APDUs over the card's and the PSAM's instruction space: CLA, INS, P1/P2 biased toward
/// the values the decoders distinguish, a data field and an optional Le.
fn command_like() -> impl Strategy<Value = Vec<u8>> {
    let cla = prop_oneof![
        prop::sample::select(vec![0x00u8, 0x04, 0x80, 0x84, 0xBF]),
        any::<u8>()
    ];
    let ins = prop_oneof![
        4 => prop::sample::select(Instruction::ALL.iter().map(|i| i.byte()).collect::<Vec<_>>()),
        1 => any::<u8>()
    ];
    let p = || {
        prop_oneof![
            prop::sample::select(vec![
                0x00u8, 0x01, 0x02, 0x04, 0x05, 0x0C, 0x08, 0x2C, 0x2D, 0x85
            ]),
            any::<u8>()
        ]
    };
    let data = prop_oneof![
        Just(0usize),
        prop::sample::select(vec![1usize, 2, 4, 5, 8, 12, 16, 17]),
        0usize..=255
    ]
    .prop_flat_map(|n| proptest::collection::vec(any::<u8>(), n));
    let le = prop_oneof![
        Just(None),
        prop::sample::select(vec![4u8, 8, 16, 0]).prop_map(Some),
        any::<u8>().prop_map(Some)
    ];
    (cla, ins, p(), p(), data, le).prop_map(|(cla, ins, p1, p2, data, le)| {
        let mut v = vec![cla, ins, p1, p2];
        if !data.is_empty() {
            v.push(data.len() as u8);
            v.extend(&data);
        }
        v.extend(le);
        v
    })
}

/// Encodings of valid card or PSAM commands, with a framing Le or not, then mutated in one
/// place (CLA, INS, P1, P2, a data byte, the data length, Le) or not at all: inputs on both
/// sides of every decoding rule.
fn near_valid() -> impl Strategy<Value = Vec<u8>> {
    (
        fields(),
        any::<bool>(),
        proptest::option::of(any::<u8>()),
        0u8..10,
        any::<u8>(),
        any::<u16>(),
    )
        .prop_map(|(f, psam, le, what, byte, at)| {
            let cmd = if psam {
                f.psam().to_command()
            } else {
                f.card().to_command()
            }
            .unwrap();
            let cmd = match (cmd.ne(), le) {
                (None, Some(le)) => cmd.with_ne(if le == 0 { 256 } else { u32::from(le) }),
                _ => cmd,
            };
            let mut v = bytes_of(&cmd);
            let body = v.len() - 4;
            match what {
                0..=3 => v[usize::from(what)] = byte,
                4 if body > 1 => {
                    let i = 5 + usize::from(at) % (body - 1);
                    v[i] = byte;
                }
                5 if body > 1 => {
                    // one byte shorter, Lc adjusted (the last byte may have been Le)
                    v.pop();
                    v[4] = v[4].wrapping_sub(1);
                }
                6 if body > 0 => v[4] = byte,
                7 => v.push(byte),
                _ => {}
            }
            v
        })
}

/// Decode arbitrary bytes as the card and as the PSAM: no panic; whatever decodes re-encodes to
/// the same header and data, decodes again to the same value, and gives back the exact bytes
/// when they were canonical (Le where the command has one as value, none elsewhere but the
/// framing Le, re-added).
fn decode_any(bytes: &[u8]) {
    let Ok(view) = CommandView::parse(bytes) else {
        return;
    };
    let _ = command_name(bytes);
    if let Ok(c) = CardCommand::decode(&view) {
        assert_eq!(Instruction::from_byte(view.ins), Some(c.instruction()));
        let mut cmd = c.to_command().unwrap_or_else(|e| panic!("{c:?}: {e}"));
        assert_eq!(cmd.view().header(), view.header(), "{c:?}");
        assert_eq!(cmd.data(), view.data, "{c:?}");
        if !card_le_is_value(&c) {
            assert_eq!(cmd.ne(), None, "{c:?}");
            if let Some(ne) = view.ne {
                cmd = cmd.with_ne(ne);
            }
        }
        let again = bytes_of(&cmd);
        let v2 = CommandView::parse(&again).unwrap();
        assert_eq!(CardCommand::decode(&v2), Ok(c));
        assert_eq!(
            mac_header(&CardCommand::decode(&v2).unwrap()),
            mac_header(&c)
        );
        if cmd.ne() == view.ne {
            assert_eq!(again, bytes, "{c:?}");
        }
    }
    if let Ok(c) = PsamCommand::decode(&view) {
        assert_eq!(Instruction::from_byte(view.ins), Some(c.instruction()));
        let mut cmd = c.to_command().unwrap_or_else(|e| panic!("{c:?}: {e}"));
        assert_eq!(cmd.view().header(), view.header(), "{c:?}");
        assert_eq!(cmd.data(), view.data, "{c:?}");
        if !psam_le_is_value(&c) {
            assert_eq!(cmd.ne(), None, "{c:?}");
            if let Some(ne) = view.ne {
                cmd = cmd.with_ne(ne);
            }
        }
        let again = bytes_of(&cmd);
        assert_eq!(
            PsamCommand::decode(&CommandView::parse(&again).unwrap()),
            Ok(c)
        );
        if cmd.ne() == view.ne {
            assert_eq!(again, bytes, "{c:?}");
        }
    }
}

proptest! {
    /// Every card command value: encode → parse → decode gives it back; the decoded MAC header
    /// is the encoded one; a pending MAC + append_mac gives the same bytes; decode → encode
    /// reproduces the bytes, with or without a framing Le.
    #[test]
    fn card_command_roundtrip(f in fields(), le in 1u32..=256) {
        let c = f.card();
        let cmd = c.to_command().unwrap_or_else(|e| panic!("{c:?}: {e}"));
        let bytes = bytes_of(&cmd);
        let view = CommandView::parse(&bytes).unwrap();
        let back = CardCommand::decode(&view).unwrap_or_else(|sw| panic!("{c:?} {bytes:02X?}: {sw}"));
        prop_assert_eq!(back, c);
        prop_assert_eq!(bytes_of(&back.to_command().unwrap()), bytes.clone());
        prop_assert_eq!(back.instruction(), c.instruction());
        prop_assert!(command_name(&bytes).starts_with(c.instruction().name().split(['/', ' ']).next().unwrap_or("")));
        if let Some(h) = mac_header(&back) {
            prop_assert_eq!(&h[..], &bytes[..5]);
            let pending = with_pending_mac(c).unwrap().to_command().unwrap();
            prop_assert!(pending.is_mac_pending());
            let mi = pending.mac_input();
            prop_assert_eq!(mi.header(), &bytes[..5]);
            prop_assert_eq!(bytes_of(&pending.append_mac(&f.mac).unwrap()), bytes.clone());
        }
        if !card_le_is_value(&c) {
            let framed = bytes_of(&cmd.clone().with_ne(le));
            let v = CommandView::parse(&framed).unwrap();
            let d = CardCommand::decode(&v).unwrap();
            prop_assert_eq!(d, c);
            prop_assert_eq!(bytes_of(&d.to_command().unwrap().with_ne(le)), framed);
        }
    }

    /// Every PSAM command value: encode → parse → decode gives it back, and decode → encode
    /// the bytes.
    #[test]
    fn psam_command_roundtrip(f in fields(), le in 1u32..=256) {
        let c = f.psam();
        let cmd = c.to_command().unwrap_or_else(|e| panic!("{c:?}: {e}"));
        let bytes = bytes_of(&cmd);
        let view = CommandView::parse(&bytes).unwrap();
        let back = PsamCommand::decode(&view).unwrap_or_else(|sw| panic!("{c:?} {bytes:02X?}: {sw}"));
        prop_assert_eq!(back, c);
        prop_assert_eq!(bytes_of(&back.to_command().unwrap()), bytes);
        if !psam_le_is_value(&c) {
            let framed = bytes_of(&cmd.with_ne(le));
            let d = PsamCommand::decode(&CommandView::parse(&framed).unwrap()).unwrap();
            prop_assert_eq!(d, c);
            prop_assert_eq!(bytes_of(&d.to_command().unwrap().with_ne(le)), framed);
        }
    }

    #[test]
    fn command_decode_random_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..=300)) {
        decode_any(&bytes);
    }

    #[test]
    fn command_decode_apdu_like(bytes in apdu_like()) {
        decode_any(&bytes);
    }

    #[test]
    fn command_decode_command_like(bytes in command_like()) {
        decode_any(&bytes);
    }

    #[test]
    fn command_decode_near_valid(bytes in near_valid()) {
        decode_any(&bytes);
    }
}

/// The near-valid generator reaches both the decoders' success and error paths (else the
/// properties above would prove little).
#[test]
fn near_valid_inputs_hit_both_sides() {
    use proptest::strategy::ValueTree;
    use proptest::test_runner::TestRunner;
    let mut runner = TestRunner::deterministic();
    let strategy = near_valid();
    let (mut ok, mut refused, mut unparsed) = (0, 0, 0);
    for _ in 0..2000 {
        let bytes = strategy.new_tree(&mut runner).unwrap().current();
        let Ok(view) = CommandView::parse(&bytes) else {
            unparsed += 1;
            continue;
        };
        let decoded = CardCommand::decode(&view).is_ok() || PsamCommand::decode(&view).is_ok();
        if decoded {
            ok += 1;
        } else {
            refused += 1;
        }
    }
    eprintln!("decoded {ok}, refused {refused}, unparsed {unparsed} of 2000");
    assert!(
        ok > 600 && refused > 300 && unparsed > 20,
        "decoded {ok}, refused {refused}, unparsed {unparsed} of 2000"
    );
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
