//! Published known-answer vectors (crypto.md §1.3–§1.5, §2, §3, §5) and sscard regression
//! vectors. Tags: [V] published/verified, [S] self-computed regression value.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

use hex_literal::hex;
use sscard_keys::algorithm::Algorithm;
use sscard_keys::diversify::diversify;
use sscard_keys::factors::DiversificationFactors;
use sscard_keys::keyset::IssuerKeySet;
#[cfg(feature = "aes")]
use sscard_keys::mac::aes_cmac;
use sscard_keys::mac::{
    cbc_mac_m1, cbc_mac_m2, retail_mac_m1, retail_mac_m2, sm4_cmac, RetailMacKey,
};
use sscard_keys::pin::Pin;
use sscard_keys::profile::{Profile, PBOC_CLASSIC_2, SSCARD_2, SSCARD_3};
use sscard_keys::session::{
    encrypt_field, external_auth_data, internal_auth_response, line_mac, process_key,
    verify_external_auth,
};
use sscard_keys::{hash, BlockCipher, Key, KeyRef, SecurityModule, SoftwareSecurityModule};

fn key(alg: Algorithm, b: &[u8]) -> Key {
    Key::new(alg, b).unwrap()
}

fn enc(alg: Algorithm, k: &[u8], block: &[u8]) -> Vec<u8> {
    let mut b = block.to_vec();
    BlockCipher::new(&key(alg, k)).ecb_encrypt(&mut b).unwrap();
    b
}

const K0123: [u8; 16] = hex!("0123456789ABCDEFFEDCBA9876543210");

// ---------- §5 primitives ----------

#[test]
fn sm4_gbt32907_example_1() {
    let c = enc(Algorithm::Sm4, &K0123, &K0123);
    assert_eq!(c, hex!("681edf34d206965e86b3e94f536e4246"));
    let mut back = c.clone();
    BlockCipher::new(&key(Algorithm::Sm4, &K0123))
        .decrypt_block(&mut back)
        .unwrap();
    assert_eq!(back, K0123);
}

#[test]
#[ignore = "1,000,000 SM4 encryptions; run with --ignored (fast in release)"]
fn sm4_gbt32907_example_2() {
    let c = BlockCipher::new(&key(Algorithm::Sm4, &K0123));
    let mut b = K0123;
    for _ in 0..1_000_000 {
        c.encrypt_block(&mut b).unwrap();
    }
    assert_eq!(b, hex!("595298c7c6fd271f0402f804c33d3f66"));
}

#[test]
fn des_sp800_20_kats_and_grabbe() {
    assert_eq!(
        enc(
            Algorithm::Des,
            &hex!("0101010101010101"),
            &hex!("8000000000000000")
        ),
        hex!("95F8A5E5DD31D900")
    );
    assert_eq!(
        enc(
            Algorithm::Des,
            &hex!("8001010101010101"),
            &hex!("0000000000000000")
        ),
        hex!("95A8D72813DAA94D")
    );
    assert_eq!(
        enc(
            Algorithm::Des,
            &hex!("133457799BBCDFF1"),
            &hex!("0123456789ABCDEF")
        ),
        hex!("85E813540F0AB405")
    );
}

#[test]
fn tdea_3key_sp800_67() {
    let k = hex!("0123456789ABCDEF 23456789ABCDEF01 456789ABCDEF0123");
    assert_eq!(
        enc(Algorithm::Tdes3, &k, b"The qufck brown fox jump"),
        hex!("A826FD8CE53B855F CCE21C8112256FE6 68D5C05DD9B6B900")
    );
}

#[test]
#[cfg(feature = "aes")]
fn aes128_fips197_c1() {
    assert_eq!(
        enc(
            Algorithm::Aes128,
            &hex!("000102030405060708090a0b0c0d0e0f"),
            &hex!("00112233445566778899aabbccddeeff")
        ),
        hex!("69c4e0d86a7b0430d8cdb78070b4c55a")
    );
}

#[test]
#[cfg(feature = "aes")]
fn aes_cmac_rfc4493_example_2() {
    let k = key(Algorithm::Aes128, &hex!("2b7e151628aed2a6abf7158809cf4f3c"));
    let m = hex!("6bc1bee22e409f96e93d7e117393172a");
    assert_eq!(
        aes_cmac(&k, &[&m]).unwrap(),
        hex!("070a16b46b4d4144f79bdd9dd04a287c")
    );
    assert_eq!(
        aes_cmac(&k, &[&m[..5], &m[5..]]).unwrap(),
        hex!("070a16b46b4d4144f79bdd9dd04a287c")
    );
}

#[test]
fn sm3_gbt32905() {
    assert_eq!(
        hash::sm3(&[b"abc"]),
        hex!("66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0")
    );
    assert_eq!(
        hash::sm3(&[&b"abcd".repeat(16)]),
        hex!("debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732")
    );
}

// ---------- §1.3 retail MAC ----------

#[test]
fn retail_mac_iso9797_b4_r1_r2_method1() {
    let k = K0123;
    assert_eq!(
        retail_mac_m1(&k, &[0; 8], &[b"Now is the time for all "]),
        hex!("A1C72E74EA3FA9B6")
    );
    assert_eq!(
        retail_mac_m1(&k, &[0; 8], &[b"Now is the time for it"]),
        hex!("2E2B1428CC78254F")
    );
}

#[test]
fn retail_mac_pboc_example_r3_method2() {
    let k = hex!("5775204D69616F6A756E404726444311");
    let m = hex!("4348454E48414F2D50437C424645424642464630303033303643337E39425030504432434E3730313633363649303034337C32303234303131317C32303235303130317C383139317C30");
    assert_eq!(m.len(), 74);
    assert_eq!(retail_mac_m2(&k, &[0; 8], &[&m]), hex!("4089819D3D991CC7"));
    let rk = RetailMacKey::new(&key(Algorithm::Tdes2, &k)).unwrap();
    assert_eq!(
        rk.mac_m2(&[0; 8], &[&m[..3], &m[3..40], &m[40..]]),
        hex!("4089819D3D991CC7")
    );
}

// ---------- §1.4 purse (alg 1, single-DES session key) ----------

#[test]
fn pboc_purse_seslk_mac1_mac2() {
    let dlk = key(Algorithm::Tdes2, &hex!("11223344556677888877665544332211"));
    let seslk = enc(Algorithm::Tdes2, dlk.as_bytes(), &hex!("1122334400008000"));
    assert_eq!(seslk, hex!("9B1D924E05595603"));
    let c = BlockCipher::new(&key(Algorithm::Des, &seslk));
    let mac1 = cbc_mac_m2(
        &c,
        &[0; 8],
        &[&hex!("00000000"), &hex!("00001000 01 001122334455")],
    )
    .unwrap();
    assert_eq!(mac1.as_bytes(), hex!("2988AE5A165CF0C0"));
    assert_eq!(mac1.command_mac(), hex!("2988AE5A"));
    let mac2 = cbc_mac_m2(
        &c,
        &[0; 8],
        &[&hex!("00001000 01 001122334455 20111221 214822")],
    )
    .unwrap();
    assert_eq!(mac2.as_bytes(), hex!("3A845BF01F93BAB2"));
}

#[test]
fn purse_sespk_and_tac_key_s() {
    // crypto.md §2.3 [S]
    let sespk = enc(
        Algorithm::Tdes2,
        &hex!("11223344556677888877665544332211"),
        &hex!("1122334400000001"),
    );
    assert_eq!(sespk, hex!("003238ABC57659DD"));
    let dtk = hex!("479E71BEFF107A76138D34F84B2031FF");
    let tac: Vec<u8> = dtk[..8].iter().zip(&dtk[8..]).map(|(a, b)| a ^ b).collect();
    assert_eq!(tac, hex!("54134546B4304B89"));
}

// ---------- §1.5 SM4 MACs (GB/T 15852.1-2020 App. B) ----------

const M1: &[u8] = b"This is the test message for mac";
const M2: &[u8] = b"This is the test message ";

#[test]
fn sm4_cbc_mac_gbt15852() {
    let c = BlockCipher::new(&key(Algorithm::Sm4, &K0123));
    let z = [0u8; 16];
    assert_eq!(
        cbc_mac_m1(&c, &z, &[M1]).unwrap().as_bytes(),
        hex!("16E02904EFB765B706459C9EDABDB519")
    );
    assert_eq!(
        cbc_mac_m1(&c, &z, &[M2]).unwrap().as_bytes(),
        hex!("BA89E45FE8ABF242E26CE032AD007C09")
    );
    assert_eq!(
        cbc_mac_m2(&c, &z, &[M1]).unwrap().as_bytes(),
        hex!("4B6553AF3C4E27448412315AC7849535")
    );
    assert_eq!(
        cbc_mac_m2(&c, &z, &[M2]).unwrap().as_bytes(),
        hex!("421AD1690AA152E2846FA2A5D83445A9")
    );
    assert_eq!(
        cbc_mac_m2(&c, &z, &[]).unwrap().as_bytes(),
        hex!("8C338E5A27E349BEAE39214FEDA97099")
    );
}

#[test]
fn sm4_alg3_gbt15852() {
    // alg 3 = alg 1 with K, then e_K(d_K'(H_q)); table gives the first 8 bytes.
    let k = BlockCipher::new(&key(Algorithm::Sm4, &K0123));
    let k2 = BlockCipher::new(&key(
        Algorithm::Sm4,
        &hex!("4149D2ADED9456681EC8B511D9E7EE04"),
    ));
    for (m, want) in [
        (M1, hex!("51E9928C2238330C")),
        (M2, hex!("197247229CE9D7B6")),
    ] {
        let mut h = cbc_mac_m2(&k, &[0; 16], &[m]).unwrap().as_bytes().to_vec();
        k2.decrypt_block(&mut h).unwrap();
        k.encrypt_block(&mut h).unwrap();
        assert_eq!(h[..8], want);
    }
}

#[test]
fn sm4_cmac_gbt15852() {
    let k = key(Algorithm::Sm4, &K0123);
    assert_eq!(
        sm4_cmac(&k, &[M1]).unwrap(),
        hex!("692C437100F3B5EE2B8ABCEF373D990C")
    );
    assert_eq!(
        sm4_cmac(&k, &[M2]).unwrap(),
        hex!("4738A6C760B280FC0C8A8AF3886E9F5D")
    );
}

// ---------- §2 diversification ----------

#[test]
fn diversification_pyemv_and_sm4() {
    let child = diversify(&key(Algorithm::Tdes2, &K0123), &hex!("1234567890123445")).unwrap();
    assert_eq!(child.as_bytes(), hex!("67F8292358083F5EA6AB7FDA58D43A6B"));
    let child = diversify(&key(Algorithm::Sm4, &K0123), &hex!("1234567890123445")).unwrap();
    assert_eq!(child.as_bytes(), hex!("1E7D5BB9E0A1ABA11531AE1083DB3A0D"));
}

#[test]
fn city_factor_spec_vector() {
    let f = DiversificationFactors::for_levels(2, &[0; 8], &hex!("420100")).unwrap();
    assert_eq!(f.as_slice()[0], hex!("3432303130307378"));
}

// ---------- §2.4 external authentication [S] ----------

#[test]
fn pboc_ext_auth_s_vectors() {
    let k = hex!("404142434445464748494A4B4C4D4E4F");
    assert_eq!(
        enc(Algorithm::Tdes2, &k, &hex!("1122334455667788")),
        hex!("A0F180047E2A3357")
    );
    assert_eq!(
        enc(
            Algorithm::Sm4,
            &k,
            &hex!("11223344556677880000000000000000")
        ),
        hex!("88A686B0FA5920FC6972175F97CF7D4E")
    );
}

// ---------- §3.1 line MAC [S] ----------

#[test]
fn line_mac_pboc_classic_s_vectors() {
    let rec = hex!("011E00030B200905260000000000000000000000000000000000000000000000");
    let hdr = hex!("04DC010424");
    let ch = hex!("A1B2C3D4");
    let k16 = key(Algorithm::Tdes2, &hex!("C0994B4B7B36828A326EDF1A3A65D231"));
    assert_eq!(
        line_mac(&PBOC_CLASSIC_2, &k16, &ch, &[&hdr, &rec]).unwrap(),
        hex!("D2D47CAE")
    );
    assert_eq!(
        line_mac(
            &PBOC_CLASSIC_2,
            &k16,
            &hex!("A1B2C3D455667788"),
            &[&hdr, &rec]
        )
        .unwrap(),
        hex!("F67C73E4")
    );
    let k8 = key(Algorithm::Des, &hex!("C0994B4B7B36828A"));
    assert_eq!(
        line_mac(&PBOC_CLASSIC_2, &k8, &ch, &[&hdr, &rec]).unwrap(),
        hex!("7FDD6B8B")
    );
    let sm4_classic = Profile {
        line_mac: sscard_keys::profile::LineMacStrategy::PbocClassic,
        ..SSCARD_3
    };
    let ks = key(Algorithm::Sm4, &K0123);
    assert_eq!(
        line_mac(&sm4_classic, &ks, &ch, &[&hdr, &rec]).unwrap(),
        hex!("465E34A8")
    );
}

// ---------- §3.2 encrypted fields [S] ----------

#[test]
fn encrypted_field_s_vectors() {
    let pin = Pin::new(&SSCARD_2, b"123456").unwrap();
    let k = key(Algorithm::Tdes2, &hex!("57415443484441544154696D65435043"));
    let mut out = [0u8; 32];
    let n = encrypt_field(&SSCARD_2, &k, &pin.to_bcd(), &mut out).unwrap();
    assert_eq!(out[..n], hex!("83FB4A23BCEB7F2C"));

    let data = hex!("00112233445566778899AABBCCDDEEFF");
    let k = key(Algorithm::Tdes2, &hex!("C0994B4B7B36828A326EDF1A3A65D231"));
    let n = encrypt_field(&SSCARD_2, &k, &data, &mut out).unwrap();
    assert_eq!(
        out[..n],
        hex!("CF852DF2DB691A4C CF3182D79EBC51B6 31C8AD56C449B488")
    );

    let k = key(Algorithm::Sm4, &K0123);
    let n = encrypt_field(&SSCARD_3, &k, &data, &mut out).unwrap();
    assert_eq!(
        out[..n],
        hex!("A1DF97777168D31227BF1A740632B346 46986A4CF619669DB4375CB41BBC6994")
    );
}

// ---------- sscard-2 / sscard-3 process-key rules: self-computed [S] ----------
// Computed by this crate and independently with Python `cryptography` 48 (TripleDES/SM4 ECB +
// hand-written CBC-MAC) from profile.md §3; they pin behaviour, they are not external authority.

const R: [u8; 8] = hex!("1122334455667788");
const S: [u8; 8] = hex!("0102030405060708");
const REC: [u8; 32] = hex!("011E00030B200905260000000000000000000000000000000000000000000000");

#[test]
fn sscard2_self_computed() {
    let k = key(Algorithm::Tdes2, &K0123);
    let sk = process_key(&SSCARD_2, &k, &R).unwrap();
    assert_eq!(sk.algorithm(), Algorithm::Des);
    assert_eq!(sk.as_bytes(), hex!("3EB3B72576BBBE83"));
    let ext = external_auth_data(&SSCARD_2, &k, &R, &S).unwrap();
    assert_eq!(ext, hex!("0C1F85E0FBCFE7A3 0102030405060708"));
    assert!(verify_external_auth(&SSCARD_2, &k, &R, &ext));
    assert_eq!(
        &internal_auth_response(&SSCARD_2, &k, &R, &S).unwrap()[..],
        hex!("0C1F85E0FBCFE7A3")
    );
    assert_eq!(
        line_mac(&SSCARD_2, &k, &R, &[&hex!("8424000004")]).unwrap(),
        hex!("D3458DFF")
    );
    assert_eq!(
        line_mac(&SSCARD_2, &k, &R, &[&hex!("04DC010424"), &REC]).unwrap(),
        hex!("6BC3C498")
    );
    let pin = Pin::new(&SSCARD_2, b"123456").unwrap();
    let mut out = [0u8; 16];
    let n = encrypt_field(&SSCARD_2, &sk, &pin.to_bcd(), &mut out).unwrap();
    assert_eq!(out[..n], hex!("C9520A418CE75537"));
}

#[test]
fn sscard3_self_computed() {
    let k = key(Algorithm::Sm4, &K0123);
    let sk = process_key(&SSCARD_3, &k, &R).unwrap();
    assert_eq!(sk.as_bytes(), hex!("7904DC533E8BCA0C93D3C36DC8328866"));
    let ext = external_auth_data(&SSCARD_3, &k, &R, &S).unwrap();
    assert_eq!(ext, hex!("907D0A28075A63A5A8BEDDFD5451E98F"));
    assert!(verify_external_auth(&SSCARD_3, &k, &R, &ext));
    assert_eq!(
        &internal_auth_response(&SSCARD_3, &k, &R, &S).unwrap()[..],
        hex!("907D0A28075A63A5A8BEDDFD5451E98F")
    );
    assert_eq!(
        line_mac(&SSCARD_3, &k, &R, &[&hex!("8424000004")]).unwrap(),
        hex!("2A7FA68E")
    );
    assert_eq!(
        line_mac(&SSCARD_3, &k, &R, &[&hex!("04DC010424"), &REC]).unwrap(),
        hex!("36016A1A")
    );
    let pin = Pin::new(&SSCARD_3, b"123456").unwrap();
    let mut out = [0u8; 16];
    let n = encrypt_field(&SSCARD_3, &sk, &pin.to_bcd(), &mut out).unwrap();
    assert_eq!(out[..n], hex!("BDE15E05F4AA3A43E874E430C81F4662"));
}

#[test]
fn security_module_full_chain_self_computed() {
    // root K0123, 3 levels for region 420100 and ATR historical tail 8684420100000135
    let atr8 = hex!("8684420100000135");
    let f = DiversificationFactors::for_levels(3, &atr8, &hex!("420100")).unwrap();
    let id = hex!("420100D15600000500000001");
    for (profile, alg, card_key, ext, cid) in [
        (
            &SSCARD_2,
            Algorithm::Tdes2,
            hex!("6D8801652AB31C41A383848A67122E78"),
            hex!("748115EB69CC1F740102030405060708"),
            hex!("D18716DD"),
        ),
        (
            &SSCARD_3,
            Algorithm::Sm4,
            hex!("7D629B0266E84931B3C0FBA101F810F5"),
            [0; 16],
            hex!("A98F14BD"),
        ),
    ] {
        let mut ks = IssuerKeySet::new();
        for (name, levels) in [
            ("RKSSSE", 3),
            ("PUK", 2),
            ("STK", 2),
            ("IRK", 3),
            ("CIDK", 3),
        ] {
            ks.insert(name, key(alg, &K0123), levels).unwrap();
        }
        let ck = ks.card_key("RKSSSE", &f).unwrap();
        assert_eq!(ck.as_bytes(), card_key);
        let mut sm = SoftwareSecurityModule::new(profile, ks);
        assert_eq!(sm.profile().name, profile.name);
        let data = sm.external_auth(KeyRef::new("RKSSSE"), &f, &R, &S).unwrap();
        if alg == Algorithm::Tdes2 {
            assert_eq!(data, ext);
        }
        assert!(verify_external_auth(profile, &ck, &R, &data));
        assert_eq!(
            sm.card_id_auth_code(KeyRef::new("CIDK"), &f, &id).unwrap(),
            cid
        );
        // line MAC and PIN block through the module match the session functions
        let stk = sm.keys.card_key("STK", &f).unwrap();
        assert_eq!(
            sm.line_mac(KeyRef::new("STK"), &f, &R, &[&hex!("8424000004")])
                .unwrap(),
            line_mac(profile, &stk, &R, &[&hex!("8424000004")]).unwrap()
        );
        let pin = Pin::new(profile, b"123456").unwrap();
        let blk = sm
            .encrypt_pin_block(KeyRef::new("STK"), &f, &R, &pin)
            .unwrap();
        assert_eq!(blk.len(), profile.suite.block_size());
        let irk = sm.keys.card_key("IRK", &f).unwrap();
        assert_eq!(
            sm.internal_auth_expected(KeyRef::new("IRK"), &f, &R, &S)
                .unwrap(),
            internal_auth_response(profile, &irk, &R, &S).unwrap()
        );
        assert!(sm.external_auth(KeyRef::new("NOPE"), &f, &R, &S).is_err());
        assert!(sm
            .external_auth(KeyRef::new("RKSSSE"), &f, &R[..4], &S)
            .is_err());
    }
}
