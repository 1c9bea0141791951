//! `info` against the in-process card OS: a session that selects the SSSE and reads EF05 + EF06
//! (3 APDUs), and single APDU round trips through the emulator transport (exchange + card OS).
//!
//! `cargo bench -p sscard-terminal --bench info` reports info reads/s (`info/read_basic_info`)
//! and APDU round trips/s (`info/apdu_round_trip`, and `info/read_basic_info_apdus` counting the
//! three APDUs of one read).
#![allow(clippy::unwrap_used, clippy::expect_used)]

use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};
use sscard_card_os::factory::test_issuer_keys;
use sscard_card_os::FactoryParams;
use sscard_keys::profile::SSCARD_2;
use sscard_keys::SoftwareSecurityModule;
use sscard_specs::SpecVersion;
use sscard_terminal::model::holder::HolderProfile;
use sscard_terminal::session::personalize;
use sscard_terminal::transport::emulator::{
    identity, EmulatorOptions, EmulatorTransport, RamImage,
};
use sscard_terminal::transport::Transport;
use sscard_terminal::Session;

fn demo_card() -> EmulatorTransport<RamImage> {
    let keys = test_issuer_keys(&SSCARD_2);
    let params = FactoryParams {
        profile: &SSCARD_2,
        version: SpecVersion::V2_00,
        identity: identity("110100", "00000001").unwrap(),
        keys: &keys,
        pin: b"000000",
    };
    let t = EmulatorTransport::new_in_memory(&params, EmulatorOptions::default()).unwrap();
    let holder = HolderProfile::parse(include_str!("../../../demo/holder.toml")).unwrap();
    let sm = SoftwareSecurityModule::new(&SSCARD_2, test_issuer_keys(&SSCARD_2));
    let mut s = Session::open(t).unwrap().with_security_module(sm);
    personalize(&mut s, &holder).unwrap();
    let mut t = s.into_transport();
    t.reset().unwrap();
    t
}

fn bench(c: &mut Criterion) {
    let mut card = demo_card();
    let mut g = c.benchmark_group("info");

    g.throughput(Throughput::Elements(1));
    g.bench_function("read_basic_info", |b| {
        b.iter(|| {
            let mut s = Session::open(&mut card).unwrap();
            black_box(s.read_basic_info().unwrap())
        })
    });

    g.throughput(Throughput::Elements(3));
    g.bench_function("read_basic_info_apdus", |b| {
        b.iter(|| {
            let mut s = Session::open(&mut card).unwrap();
            black_box(s.read_basic_info().unwrap())
        })
    });

    let read_ef05 = hex::decode("00B2012D00").unwrap();
    card.transmit(&hex::decode("00A404000F7378312E73682EC9E7BBE1B1A3D5CF00").unwrap())
        .unwrap();
    let r = card.transmit(&read_ef05).unwrap();
    assert!(
        r.len() > 60 && r.ends_with(&[0x90, 0x00]),
        "{}",
        hex::encode(&r)
    );
    g.throughput(Throughput::Elements(1));
    g.bench_function("apdu_round_trip", |b| {
        b.iter(|| black_box(card.transmit(black_box(&read_ef05)).unwrap()))
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
