//! APDU throughput of the card OS on a RAM store (criterion; reports elements/s = APDUs/s).
//!
//! * `read_record_plain`: `00 B2 01 04 00` on SSSE EF05 (18-byte record, free read);
//! * `update_record_mac`: the pair GET CHALLENGE + `04 DC` (MAC under UKSSSE's process key) —
//!   throughput counts 2 APDUs per pair; the MACs are precomputed on the host side (the card's
//!   challenge generator is deterministic for a given seed), so only card work is timed;
//! * `verify`: `00 20 00 00 03 123456` (right PIN: decrement, compare, restore = 2 NVM writes);
//! * `debit`: the pair INITIALIZE FOR PURCHASE + DEBIT FOR PURCHASE (DF04 purse, online flow:
//!   personal account 0) — 2 APDUs per pair; MAC1 precomputed on the host side (deterministic
//!   card random), so the card's SESPK, MAC1 check, MAC2, TAC and the one journal batch (amount
//!   file, proof, EF08) are what is timed.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    missing_docs
)]

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use sscard_card_os::factory::test_issuer_keys;
use sscard_card_os::store::RamStore;
use sscard_card_os::{
    factory_initialise, Card, CardConfig, CardIdentity, FactoryParams, Protocol, CARD_STORE_SIZE,
    RESP_MAX,
};
use sscard_keys::profile::{Profile, SSCARD_2, SSCARD_3};
use sscard_keys::purse::{
    Amount, CardRandom, DateTime, MedicalAmounts, MedicalPurchase, OfflineCounter, PurchaseSession,
    TerminalId, TerminalSerial, TransactionType,
};
use sscard_keys::session::line_mac;
use sscard_specs::versions::SpecVersion;
use std::time::{Duration, Instant};

type Img = RamStore<CARD_STORE_SIZE>;

const ID: CardIdentity = CardIdentity {
    region_bcd: [0x43, 0x02, 0x99],
    serial: [0, 0, 0, 0x13],
    atr_historical: [
        0x00, 0x81, 0x54, 0x4C, 0x92, 0x86, 0x84, 0x42, 0x01, 0x00, 0x00, 0x01, 0x35,
    ],
};

fn image(profile: &'static Profile) -> Box<Img> {
    let mut s = Box::new(Img::new());
    let keys = test_issuer_keys(profile);
    let version = if profile.name == "sscard-3" {
        SpecVersion::V3_00
    } else {
        SpecVersion::V2_00
    };
    factory_initialise(
        &mut *s,
        &FactoryParams {
            profile,
            version,
            identity: ID,
            keys: &keys,
            pin: b"123456",
        },
    )
    .unwrap();
    s
}

fn send(card: &mut Card<&mut Img>, apdu: &[u8]) -> u16 {
    let mut r = [0u8; RESP_MAX];
    let n = card.process(apdu, &mut r);
    u16::from_be_bytes([r[n - 2], r[n - 1]])
}

/// T=1: each command's data comes back at once (Le 00 reads a whole record), so a benchmark
/// times one handler run, not a 6Cxx / GET RESPONSE leg (the T=0 frame is measured by the
/// QEMU firmware run).
fn bench_config(profile: &'static Profile) -> CardConfig {
    CardConfig::new(profile).with_protocol(Protocol::T1)
}

fn prepare<'a>(img: &'a mut Img, profile: &'static Profile) -> Card<&'a mut Img> {
    let mut card = Card::new(img, bench_config(profile)).unwrap();
    send(&mut card, &SELECT_SSSE);
    send(&mut card, &[0x00, 0xA4, 0x02, 0x00, 0x02, 0xEF, 0x06]);
    card
}

const SELECT_SSSE: [u8; 20] = [
    0x00, 0xA4, 0x04, 0x00, 0x0F, 0x73, 0x78, 0x31, 0x2E, 0x73, 0x68, 0x2E, 0xC9, 0xE7, 0xBB, 0xE1,
    0xB1, 0xA3, 0xD5, 0xCF,
];

fn bench_profile(c: &mut Criterion, profile: &'static Profile) {
    let base = image(profile);
    let mut g = c.benchmark_group(profile.name);

    // Plain READ RECORD.
    let mut img = base.clone();
    let mut card = Card::new(&mut *img, bench_config(profile)).unwrap();
    send(&mut card, &SELECT_SSSE);
    send(&mut card, &[0x00, 0xA4, 0x02, 0x00, 0x02, 0xEF, 0x05]);
    let rr = [0x00, 0xB2, 0x01, 0x04, 0x00];
    assert_eq!(send(&mut card, &rr), 0x9000);
    g.throughput(Throughput::Elements(1));
    g.bench_function("read_record_plain", |b| {
        let mut r = [0u8; RESP_MAX];
        b.iter(|| black_box(card.process(black_box(&rr), &mut r)))
    });

    // VERIFY (right PIN).
    let mut img = base.clone();
    let mut card = Card::new(&mut *img, bench_config(profile)).unwrap();
    send(&mut card, &SELECT_SSSE);
    let v = [0x00, 0x20, 0x00, 0x00, 0x03, 0x12, 0x34, 0x56];
    assert_eq!(send(&mut card, &v), 0x9000);
    g.bench_function("verify", |b| {
        let mut r = [0u8; RESP_MAX];
        b.iter(|| black_box(card.process(black_box(&v), &mut r)))
    });

    // GET CHALLENGE + 04 DC: precompute the MAC'd APDUs for a deterministic challenge sequence.
    const N: usize = 20_000;
    let keys = test_issuer_keys(profile);
    let uk = keys
        .card_key("UKSSSE", &ID.factors(profile).unwrap())
        .unwrap();
    let record = [0x0D, 0x04, 0x19, 0x80, 0x01, 0x01];
    let mut img = base.clone();
    let mut rec_card = prepare(&mut img, profile);
    let mut pairs: Vec<Vec<u8>> = Vec::with_capacity(N);
    for _ in 0..N {
        let mut r = [0u8; RESP_MAX];
        let n = rec_card.process(&[0x00, 0x84, 0x00, 0x00, 0x08], &mut r);
        assert_eq!(n, 10);
        let h5 = [0x04, 0xDC, 0x07, 0x04, (record.len() + 4) as u8];
        let mac = line_mac(profile, &uk, &r[..8], &[&h5, &record]).unwrap();
        let mut a = h5.to_vec();
        a.extend_from_slice(&record);
        a.extend_from_slice(&mac);
        assert_eq!(send(&mut rec_card, &a), 0x9000);
        pairs.push(a);
    }
    g.throughput(Throughput::Elements(2));
    g.bench_function("update_record_mac (GET CHALLENGE + 04 DC)", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut left = iters as usize;
            let mut r = [0u8; RESP_MAX];
            while left > 0 {
                let mut img = base.clone();
                let mut card = prepare(&mut img, profile);
                let n = left.min(N);
                let t = Instant::now();
                for a in &pairs[..n] {
                    card.process(&[0x00, 0x84, 0x00, 0x00, 0x08], &mut r);
                    let len = card.process(black_box(a), &mut r);
                    debug_assert_eq!(&r[len - 2..len], &[0x90, 0x00]);
                }
                total += t.elapsed();
                left -= n;
            }
            total
        })
    });

    // INITIALIZE FOR PURCHASE + DEBIT FOR PURCHASE.
    const M: usize = 5_000;
    let dpk = keys.card_key("DPK", &ID.factors(profile).unwrap()).unwrap();
    let init: Vec<u8> = [
        &[0x80, 0x50, 0x01, 0x02, 0x14, 0x01][..],
        &[0, 0, 0, 0, 0, 0, 0x01, 0xF4, 0, 0, 0, 0xC8],
        &[0x43, 0x01, 0, 0, 0, 0x07, 0x30, 0x0F],
    ]
    .concat();
    let mut debits: Vec<Vec<u8>> = Vec::with_capacity(M);
    {
        let mut img2 = base.clone();
        let mut card = Card::new(&mut *img2, bench_config(profile)).unwrap();
        send(&mut card, &SELECT_SSSE);
        send(&mut card, &[0x00, 0x20, 0x00, 0x00, 0x03, 0x12, 0x34, 0x56]);
        send(&mut card, &[0x00, 0xA4, 0x00, 0x00, 0x02, 0xDF, 0x04]);
        for i in 0..M {
            let mut r = [0u8; RESP_MAX];
            let n = card.process(&init, &mut r);
            assert_eq!(n, 17);
            let tx = MedicalPurchase {
                amounts: MedicalAmounts::settlement(Amount(500), Amount(200)),
                tx_type: TransactionType(0x06),
                terminal: TerminalId([0x43, 0x01, 0, 0, 0, 0x07]),
                serial: TerminalSerial(i as u32 + 1),
                when: DateTime::new([0x20, 0x26, 0x12, 0x03], [0x10, 0x20, 0x30]),
            };
            let s = PurchaseSession::new(
                profile,
                &dpk,
                CardRandom(r[11..15].try_into().unwrap()),
                OfflineCounter(i as u16),
                tx.serial,
            )
            .unwrap();
            let mut a = vec![0x80, 0x54, 0x01, 0x00, 0x0F];
            a.extend_from_slice(&tx.serial.0.to_be_bytes());
            a.extend_from_slice(&tx.when.to_bytes());
            a.extend_from_slice(&s.mac1(&tx).unwrap());
            a.push(0x08);
            assert_eq!(send(&mut card, &a), 0x9000);
            debits.push(a);
        }
    }
    g.bench_function("debit (INITIALIZE FOR PURCHASE + DEBIT)", |b| {
        b.iter_custom(|iters| {
            let mut total = Duration::ZERO;
            let mut left = iters as usize;
            let mut r = [0u8; RESP_MAX];
            while left > 0 {
                let mut img = base.clone();
                let mut card = Card::new(&mut *img, bench_config(profile)).unwrap();
                send(&mut card, &SELECT_SSSE);
                send(&mut card, &[0x00, 0x20, 0x00, 0x00, 0x03, 0x12, 0x34, 0x56]);
                send(&mut card, &[0x00, 0xA4, 0x00, 0x00, 0x02, 0xDF, 0x04]);
                let n = left.min(M);
                let mut ok = 0usize;
                let t = Instant::now();
                for a in &debits[..n] {
                    card.process(&init, &mut r);
                    let len = card.process(black_box(a), &mut r);
                    ok += usize::from(r[len - 2..len] == [0x90, 0x00]);
                }
                total += t.elapsed();
                assert_eq!(ok, n, "every DEBIT answered 9000");
                left -= n;
            }
            total
        })
    });
    g.finish();
}

fn benches(c: &mut Criterion) {
    bench_profile(c, &SSCARD_2);
    bench_profile(c, &SSCARD_3);
}

criterion_group!(apdu, benches);
criterion_main!(apdu);
