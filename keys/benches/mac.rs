//! Command-MAC throughput next to the raw block-cipher cost of the same number of padded blocks
//! with the same pre-scheduled cipher (goal: MAC ≤ 1.3× raw).
//!
//! Run: `cargo bench -p sscard-keys --bench mac -- --warm-up-time 1 --measurement-time 3`
#![allow(missing_docs, clippy::unwrap_used)]

use criterion::{black_box, criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use sscard_keys::algorithm::Algorithm;
use sscard_keys::mac::{cbc_mac_m2, pad_m2_len, RetailMacKey};
use sscard_keys::{BlockCipher, Key};

fn bench(c: &mut Criterion) {
    let des = BlockCipher::new(&Key::new(Algorithm::Des, &[0x3E; 8]).unwrap());
    let tdes_key = Key::new(Algorithm::Tdes2, &[0x5A; 16]).unwrap();
    let tdes = BlockCipher::new(&tdes_key);
    let retail = RetailMacKey::new(&tdes_key).unwrap();
    let sm4 = BlockCipher::new(&Key::new(Algorithm::Sm4, &[0x79; 16]).unwrap());

    let mut g = c.benchmark_group("command_mac");
    for len in [16usize, 256] {
        let msg = vec![0xA5u8; len];
        g.throughput(Throughput::Bytes(len as u64));

        // sscard-2 line MAC: 8-byte single-DES process key, DES CBC-MAC (alg 1), IV 0, pad 2
        g.bench_with_input(BenchmarkId::new("des_cbc_mac", len), &msg, |b, m| {
            b.iter(|| cbc_mac_m2(&des, &[0; 8], &[black_box(m)]).unwrap())
        });
        let mut buf8 = vec![0u8; pad_m2_len(len, 8)];
        g.bench_with_input(BenchmarkId::new("des_raw_ecb", len), &len, |b, _| {
            b.iter(|| des.ecb_encrypt(black_box(&mut buf8)).unwrap())
        });

        // 2-key retail MAC (alg 3): DES(K_L) chain + DES⁻¹(K_R) + DES(K_L)
        g.bench_with_input(BenchmarkId::new("retail_mac_3des2", len), &msg, |b, m| {
            b.iter(|| retail.mac_m2(&[0; 8], &[black_box(m)]))
        });
        g.bench_with_input(BenchmarkId::new("tdes2_raw_ecb", len), &len, |b, _| {
            b.iter(|| tdes.ecb_encrypt(black_box(&mut buf8)).unwrap())
        });

        // sscard-3 line MAC: SM4 CBC-MAC, IV 0, pad 2
        g.bench_with_input(BenchmarkId::new("sm4_cbc_mac", len), &msg, |b, m| {
            b.iter(|| cbc_mac_m2(&sm4, &[0; 16], &[black_box(m)]).unwrap())
        });
        let mut buf16 = vec![0u8; pad_m2_len(len, 16)];
        g.bench_with_input(BenchmarkId::new("sm4_raw_ecb", len), &len, |b, _| {
            b.iter(|| sm4.ecb_encrypt(black_box(&mut buf16)).unwrap())
        });
    }
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
