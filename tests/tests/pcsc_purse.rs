//! The DF04 purse through pcscd: `sscard load` (issuer keys), `sscard debit` with the emulated
//! PSAM in "Virtual PCD 00 01", `sscard balance`, `sscard log`, on a 2.00 (3DES) and a 3.00
//! (SM4) card. The MAC2 and TAC the card answered are recomputed here from the test's key file
//! with the `openssl` command line (diversification, process key, CBC-MACs) — an implementation
//! that is not ours. Then the card is pulled by vpcd during DEBIT FOR PURCHASE, before and after
//! the card OS executes it: after reinsertion the terminal reports "not charged" / "charged,
//! with TAC" from the card (GET TRANSACTION PROVE), and the balance read back agrees.
//! Gated by SSCARD_PCSC_E2E.
// Amounts are written yuan_fen (3_00 = 3.00 yuan), hence the digit grouping.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::inconsistent_digit_grouping
)]

use std::io::Write;
use std::process::{Command, Stdio};

use sscard_e2e::{connect, e2e, CardFiles, Cli, Live, PullOn, PIN, READER0, READER1, WAIT};
use sscard_emulate::vpcd::PullMode;
use sscard_keys::purse::{Amount, DateTime, MedicalAmounts};
use sscard_keys::DiversificationFactors;
use sscard_specs::purse::class;
use sscard_specs::SpecVersion;
use sscard_terminal::model::Fen;
use sscard_terminal::security::psam;
use sscard_terminal::session::{PurchaseOrder, Resolution};
use sscard_terminal::transport::{wait_for_card_removed, PcscTransport};
use sscard_terminal::{Error, Session};

fn cli() -> Cli {
    Cli::new(env!("CARGO_BIN_EXE_e2e-sscard"))
}

fn h(s: &str) -> Vec<u8> {
    hex::decode(s).unwrap()
}

/// `openssl enc -<cipher> -K key [-iv 0] -nopad` over `data` (a multiple of the block).
fn openssl(cipher: &str, key: &[u8], data: &[u8]) -> Vec<u8> {
    let mut args = vec![
        "enc".to_string(),
        format!("-{cipher}"),
        "-K".into(),
        hex::encode(key),
        "-nopad".into(),
    ];
    if cipher.ends_with("-cbc") {
        args.push("-iv".into());
        args.push("0".repeat(if cipher.starts_with("sm4") { 32 } else { 16 }));
    }
    let mut c = Command::new("openssl")
        .args(&args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the openssl command line (Debian package openssl)");
    c.stdin.take().unwrap().write_all(data).unwrap();
    let o = c.wait_with_output().unwrap();
    assert!(
        o.status.success(),
        "openssl {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    o.stdout
}

/// The suite's primitives, all by openssl.
struct Ossl {
    sm4: bool,
}

impl Ossl {
    fn block(&self) -> usize {
        if self.sm4 {
            16
        } else {
            8
        }
    }
    /// One ECB encryption under a 16-byte key: 2-key 3DES or SM4.
    fn ecb(&self, key: &[u8], data: &[u8]) -> Vec<u8> {
        openssl(if self.sm4 { "sm4-ecb" } else { "des-ede-ecb" }, key, data)
    }
    /// crypto.md §2.1/§2.2: child = E(D) ‖ E(¬D) (3DES) or E(D ‖ ¬D) (SM4), level by level.
    fn diversify(&self, root: &[u8], factors: &[[u8; 8]]) -> Vec<u8> {
        let mut k = root.to_vec();
        for d in factors {
            let nd: Vec<u8> = d.iter().map(|b| !b).collect();
            k = if self.sm4 {
                self.ecb(&k, &[&d[..], &nd].concat())
            } else {
                [self.ecb(&k, d), self.ecb(&k, &nd)].concat()
            };
        }
        k
    }
    /// crypto.md §2.3: SESxK = 3DES_K(in) (a single-DES key) / SM4_K(in ‖ ¬in) [L].
    fn process_key(&self, k: &[u8], input: &[u8; 8]) -> Vec<u8> {
        if self.sm4 {
            let n: Vec<u8> = input.iter().map(|b| !b).collect();
            self.ecb(k, &[&input[..], &n].concat())
        } else {
            self.ecb(k, input)
        }
    }
    /// CBC-MAC, IV 0, padding method 2, 4 leftmost bytes; an 8-byte key is single DES
    /// (as 3DES with K1 = K2).
    fn mac4(&self, key: &[u8], data: &[u8]) -> Vec<u8> {
        let mut m = data.to_vec();
        m.push(0x80);
        while m.len() % self.block() != 0 {
            m.push(0);
        }
        let out = if self.sm4 {
            openssl("sm4-cbc", key, &m)
        } else {
            let k = if key.len() == 8 {
                [key, key].concat()
            } else {
                key.to_vec()
            };
            openssl("des-ede-cbc", &k, &m)
        };
        let last = &out[out.len() - self.block()..];
        last[..4].to_vec()
    }
    /// The TAC key: DTK_L ⊕ DTK_R (3DES), DTK itself (SM4) [L].
    fn tac_key(&self, dtk: &[u8]) -> Vec<u8> {
        if self.sm4 {
            dtk.to_vec()
        } else {
            (0..8).map(|i| dtk[i] ^ dtk[i + 8]).collect()
        }
    }
}

/// The root key `name` of the test's key file (`NAME = "hex"` lines of its `[keys]` table).
fn root(files: &CardFiles, name: &str) -> Vec<u8> {
    let text = std::fs::read_to_string(&files.keys).unwrap();
    let line = text
        .lines()
        .find(|l| l.split('=').next().is_some_and(|k| k.trim() == name))
        .unwrap_or_else(|| panic!("key {name} in the key file"));
    h(line.split('"').nth(1).unwrap())
}

/// The card's random (INITIALIZE FOR PURCHASE answer bytes 11..15) from the emulator trace.
fn purchase_random(trace: &[String]) -> [u8; 4] {
    let i = trace
        .iter()
        .rposition(|l| l.contains("> 80500102"))
        .expect("INITIALIZE FOR PURCHASE in the trace");
    let line = trace[i..]
        .iter()
        .find(|l| {
            l.contains("< ")
                && l.split("< ")
                    .nth(1)
                    .is_some_and(|r| r.split(' ').next().is_some_and(|d| d.len() == 30))
        })
        .expect("its 15-byte answer");
    let d = h(line.split("< ").nth(1).unwrap().split(' ').next().unwrap());
    [d[11], d[12], d[13], d[14]]
}

fn bcd(s: &str) -> Vec<u8> {
    h(s)
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn load_debit_balance_log_through_pcscd_with_the_psam_checked_by_openssl() {
    let _g = e2e("load_debit_balance_log_through_pcscd_with_the_psam_checked_by_openssl");
    for v in [SpecVersion::V2_00, SpecVersion::V3_00] {
        let files = CardFiles::personalised_as("purse", v);
        let live = Live::card_and_psam(&files);
        let keys = files.keys.to_str().unwrap();
        let load = cli()
            .pcsc(&[
                "--keys",
                keys,
                "--json",
                "load",
                "100",
                "--terminal-no",
                "110100000001",
                "--time",
                "20261203080000",
            ])
            .json();
        assert_eq!(load["balance_after"]["fen"], 10000, "{v:?}");
        let d = cli()
            .pcsc(&[
                "--psam-reader",
                READER1,
                "--json",
                "debit",
                "12.34",
                "--pin",
                PIN,
                "--type",
                "maternity",
                "--self-pay",
                "50",
                "--fund",
                "20",
                "--time",
                "20261203081500",
            ])
            .json();
        assert_eq!(d["charged"], true);
        assert_eq!(d["mac2_valid"], true, "the PSAM accepted MAC2");
        assert_eq!(d["serial"], 1, "the PSAM's first serial");
        assert_eq!(d["terminal"], sscard_e2e::TERMINAL_NUMBER);
        assert_eq!(d["balance_after"]["fen"], 8766);

        // --- the independent computation (openssl) ---
        let o = Ossl {
            sm4: v == SpecVersion::V3_00,
        };
        let atr8 = *sscard_terminal::model::atr::historical_bytes(&live.atr)
            .unwrap()
            .last_chunk::<8>()
            .unwrap();
        let f = DiversificationFactors::for_levels_with(
            &files.profile.factors,
            3,
            &atr8,
            &[0x11, 0x01, 0x00],
        )
        .unwrap();
        let dpk = o.diversify(&root(&files, "DPK"), f.as_slice());
        let dtk = o.diversify(&root(&files, "DTK"), f.as_slice());
        let rnd = purchase_random(&live.trace_lines());
        let counter = d["counter"].as_u64().unwrap() as u16;
        let serial = d["serial"].as_u64().unwrap() as u32;
        let mut input = [0u8; 8];
        input[..4].copy_from_slice(&rnd);
        input[4..6].copy_from_slice(&counter.to_be_bytes());
        input[6..].copy_from_slice(&serial.to_be_bytes()[2..]);
        let sespk = o.process_key(&dpk, &input);
        let amounts = [
            1234u32.to_be_bytes(),
            5000u32.to_be_bytes(),
            2000u32.to_be_bytes(),
        ]
        .concat();
        assert_eq!(
            hex::encode_upper(o.mac4(&sespk, &amounts)),
            d["mac2"].as_str().unwrap(),
            "{v:?}: MAC2"
        );
        let tac_in = [
            amounts.clone(),
            vec![0x06],
            h(sscard_e2e::TERMINAL_NUMBER),
            serial.to_be_bytes().to_vec(),
            bcd("20261203081500"),
        ]
        .concat();
        assert_eq!(
            hex::encode_upper(o.mac4(&o.tac_key(&dtk), &tac_in)),
            d["tac"].as_str().unwrap(),
            "{v:?}: TAC"
        );
        // the load TAC too: new balance ‖ online counter ‖ amount ‖ 02 ‖ terminal ‖ date ‖ time
        let load_tac_in = [
            10000u32.to_be_bytes().to_vec(),
            vec![0, 0],
            10000u32.to_be_bytes().to_vec(),
            vec![0x02],
            h("110100000001"),
            bcd("20261203080000"),
        ]
        .concat();
        assert_eq!(
            hex::encode_upper(o.mac4(&o.tac_key(&dtk), &load_tac_in)),
            load["tac"].as_str().unwrap(),
            "{v:?}: load TAC"
        );

        let b = cli().pcsc(&["--json", "balance"]).json();
        assert_eq!(b["balance"]["yuan"], "87.66");
        let log = cli().pcsc(&["--json", "log", "--pin", PIN]).json();
        assert_eq!(log.as_array().unwrap().len(), 2, "{log}");
        assert_eq!(log[0]["kind"], "settlement");
        assert_eq!(log[0]["class"], "maternity");
        assert_eq!(log[0]["personal_account"]["fen"], 1234);
        assert_eq!(log[0]["terminal"], sscard_e2e::TERMINAL_NUMBER);
        assert_eq!(log[0]["time"], "2026-12-03 08:15:00");
        assert_eq!(log[1]["kind"], "load");
        drop(live);
    }
}

fn reinsert(live: &Live, t: &mut PcscTransport) {
    wait_for_card_removed(READER0, WAIT).expect("pcscd sees the reader empty");
    live.control().reinsert();
    live.await_inserted(READER0);
    t.reconnect().expect("reconnect after reinsertion");
}

fn pulled_during_debit(mode: PullMode) -> (Resolution, Fen) {
    let files = CardFiles::personalised("purse-pull");
    let live = Live::card_and_psam(&files);
    let kf = files.key_file();
    let mut keys = sscard_terminal::security::purse::SoftwarePurse::new(
        kf.profile,
        kf.keys,
        sscard_keys::purse::TerminalId([0x11, 0x01, 0, 0, 0, 0x01]),
        sscard_terminal::security::terminal_serial::SerialStore::Memory(0),
    );
    {
        let mut s = Session::open(connect(READER0)).unwrap();
        s.load(
            &mut keys,
            Fen(10_00),
            DateTime::new([0x20, 0x26, 0x12, 0x03], [8, 0, 0]),
        )
        .unwrap();
        s.into_transport().close().unwrap();
    }
    let mut sm = psam::open(connect(READER1), files.profile).unwrap();
    let order = PurchaseOrder {
        amounts: MedicalAmounts {
            personal_account: Amount(3_00),
            total: Amount(3_00),
            account_and_fund: Amount(0),
        },
        class: class::ORDINARY,
        when: DateTime::new([0x20, 0x26, 0x12, 0x03], [9, 0, 0]),
    };
    let mut s = Session::open(PullOn::new(connect(READER0), live.control(), 0x54, mode)).unwrap();
    s.set_pin(PIN).unwrap();
    let pending = match s.purchase(&mut sm, &order) {
        Err(Error::InDoubt(p)) => p,
        other => panic!("pulled {mode:?} during DEBIT: {other:?}"),
    };
    assert!(s.transport().fired);
    let mut t = s.into_transport().inner;
    reinsert(&live, &mut t);
    let mut s = Session::open(t).unwrap();
    s.set_pin(PIN).unwrap();
    let r = s.resolve(&pending, Some(&mut sm)).unwrap();
    let balance = s.balance().unwrap();
    if let Resolution::Charged(rc) = &r {
        assert!(rc.recovered);
        assert_eq!(
            rc.mac2_valid,
            Some(true),
            "the PSAM still checks the proven MAC2"
        );
    } else {
        // not charged: the retry charges once
        s.purchase(&mut sm, &order).unwrap();
        assert_eq!(s.balance().unwrap(), Fen(7_00));
    }
    assert_eq!(s.purse_log().unwrap().len(), 2, "one load, one settlement");
    s.into_transport().close().unwrap();
    (r, balance)
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn card_pulled_before_debit_executes_is_reported_not_charged() {
    let _g = e2e("card_pulled_before_debit_executes_is_reported_not_charged");
    let (r, b) = pulled_during_debit(PullMode::BeforeExecute);
    assert_eq!(r, Resolution::NotCharged);
    assert_eq!(b, Fen(10_00));
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn card_pulled_after_debit_executes_is_reported_charged_with_its_tac() {
    let _g = e2e("card_pulled_after_debit_executes_is_reported_charged_with_its_tac");
    let (r, b) = pulled_during_debit(PullMode::AfterExecute);
    assert!(
        matches!(r, Resolution::Charged(ref rc) if rc.tac.len() == 8),
        "{r:?}"
    );
    assert_eq!(b, Fen(7_00));
}
