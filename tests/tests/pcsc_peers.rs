//! Independent PC/SC clients see the emulated card exactly as the terminal library does:
//! OpenSC's `opensc-tool` prints its ATR, pcsc-tools' `scriptor` gets the same bytes for SELECT
//! SSSE + READ RECORD by tag.
//!
//! Protocol: the card's ATR `3B 6D 00 00 …` has no TD1, so it announces T=0 only. pcscd therefore
//! refuses `scriptor -p T=1` ("Card protocol mismatch", SCARD_E_PROTO_MISMATCH) even though vpcd
//! itself marks every answer Protocol=1; `scriptor -p T=0` and scriptor's default (try T=1, fall
//! back to T=0) work. vpcd has no TPDU layer, so what the card answers is what the client sees:
//! data directly by default, `61xx`/`6Cxx` when the emulator runs with `--t0`. Gated by
//! SSCARD_PCSC_E2E.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::io::Write;
use std::process::{Command, Stdio};

use sscard_apdu::exchange::T0Policy;
use sscard_e2e::{connect, e2e, h, CardFiles, Live, READER0};
use sscard_emulate::serve::EmulateOptions;
use sscard_terminal::transport::emulator::Protocol;
use sscard_terminal::transport::PcscTransport;
use sscard_terminal::Session;

const SELECT_SSSE: &str = "00A404000F7378312E73682EC9E7BBE1B1A3D5CF00";
/// READ RECORD by tag with the EF's SFI in P2 (P2 = SFI<<3 | 000): SSN (EF06 tag 08), name
/// (EF06 tag 09), card number (EF05 tag 07).
const READS: [&str; 3] = ["00B2083000", "00B2093000", "00B2072800"];
/// The same reads with each record's exact Le, as a T=0 client sends them (20, 32, 11 bytes).
const READS_T0: [&str; 3] = ["00B2083014", "00B2093020", "00B207280B"];

/// The protocol of the emulated card (T=0 unless `SSCARD_CARD_PROTOCOL=t1`).
fn protocol() -> Protocol {
    sscard_terminal::transport::emulator::EmulatorOptions::default().protocol
}

fn scriptor(protocol: Option<&str>, apdus: &[&str]) -> (bool, String) {
    let mut cmd = Command::new("scriptor");
    cmd.args(["-r", READER0]);
    if let Some(p) = protocol {
        cmd.args(["-p", p]);
    }
    let mut child = cmd
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run scriptor (Debian package pcsc-tools)");
    let script: String = apdus
        .iter()
        .map(|a| {
            let spaced: Vec<String> = h(a).iter().map(|b| format!("{b:02X}")).collect();
            spaced.join(" ") + "\n"
        })
        .collect();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(script.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

/// The R-APDUs in scriptor's output (`< xx xx … : meaning`, wrapped over lines), as hex.
fn scriptor_responses(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut cur: Option<String> = None;
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("< ") {
            if let Some(c) = cur.take() {
                out.push(c);
            }
            cur = Some(String::new());
            push_hex(cur.as_mut().unwrap(), rest);
        } else if line.starts_with("> ") || line.starts_with("Using") || line.starts_with("Trying")
        {
            if let Some(c) = cur.take() {
                out.push(c);
            }
        } else if let Some(c) = cur.as_mut() {
            push_hex(c, line);
        }
    }
    if let Some(c) = cur {
        out.push(c);
    }
    out
}

fn push_hex(acc: &mut String, line: &str) {
    let bytes = line.split(':').next().unwrap_or("");
    for tok in bytes.split_whitespace() {
        acc.push_str(&tok.to_uppercase());
    }
}

fn library_answers(apdus: &[&str]) -> Vec<String> {
    let mut t = connect(READER0);
    t.set_t0_policy(T0Policy::RAW);
    let r = apdus
        .iter()
        .map(|a| hex::encode_upper(t.transmit_raw_vec(&h(a)).unwrap()))
        .collect();
    t.close().unwrap();
    r
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn opensc_tool_prints_the_card_atr() {
    let _g = e2e("opensc_tool_prints_the_card_atr");
    let files = CardFiles::personalised("opensc");
    let live = Live::card(&files);
    let index = PcscTransport::list_readers()
        .unwrap()
        .iter()
        .position(|r| r == READER0)
        .unwrap();
    let out = Command::new("opensc-tool")
        .args(["--reader", &index.to_string(), "--atr"])
        .output()
        .expect("run opensc-tool (Debian package opensc)");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout} {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let colon_hex: Vec<String> = live.atr.iter().map(|b| format!("{b:02x}")).collect();
    assert!(
        stdout.to_lowercase().contains(&colon_hex.join(":")),
        "opensc-tool printed {stdout:?}"
    );
    // T=0: no TD1 (T=0 only); T=1: TD1 = 01 announces T=1.
    let prefix = match protocol() {
        Protocol::T0 => "3b:6d:00:00:",
        Protocol::T1 => "3b:ed:00:00:01:",
    };
    assert!(stdout.starts_with(prefix), "{stdout}");
    // The terminal library reads the same ATR.
    assert_eq!(connect(READER0).atr_vec(), live.atr);
}

trait AtrVec {
    fn atr_vec(&self) -> Vec<u8>;
}
impl AtrVec for PcscTransport {
    fn atr_vec(&self) -> Vec<u8> {
        sscard_terminal::transport::Transport::atr(self).to_vec()
    }
}

#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn scriptor_reads_the_same_bytes_as_the_terminal_library() {
    let _g = e2e("scriptor_reads_the_same_bytes_as_the_terminal_library");
    let files = CardFiles::personalised("scriptor");
    let _live = Live::card(&files);
    // The script a client written for the card's protocol sends: on T=0 the GET RESPONSE after
    // 61 18 and each READ with its record's exact Le (a wrong Le answers 6Cxx); on T=1 Le 00.
    let t0 = protocol() == Protocol::T0;
    let mut apdus = vec![SELECT_SSSE];
    if t0 {
        apdus.push("00C0000018");
        apdus.extend_from_slice(&READS_T0);
    } else {
        apdus.extend_from_slice(&READS);
    }
    let ssn_at = apdus.len() - 3;

    let lib = library_answers(&apdus);
    assert!(
        lib.iter()
            .enumerate()
            .all(|(i, r)| r.ends_with("9000") || (t0 && i == 0 && r == "6118")),
        "{lib:?}"
    );
    // The typed session decodes the same records.
    let mut s = Session::open(connect(READER0)).unwrap();
    let ssn = s.read_item("SSSE/EF06/08").unwrap();
    assert_eq!(ssn.value.to_string(), "110101199003071233");
    assert_eq!(format!("0812{}9000", ssn.raw), lib[ssn_at]);
    s.into_transport().close().unwrap();

    // pcscd negotiates the protocol the ATR announces and refuses the other one.
    let (name, other) = if t0 { ("T=0", "T=1") } else { ("T=1", "T=0") };
    for p in [Some(name), None] {
        let (ok, text) = scriptor(p, &apdus);
        assert!(ok, "scriptor {p:?}: {text}");
        assert!(text.contains(&format!("Using {name} protocol")), "{text}");
        assert_eq!(scriptor_responses(&text), lib, "scriptor {p:?}:\n{text}");
    }
    let (ok, text) = scriptor(Some(other), &apdus);
    assert!(!ok, "{text}");
    assert!(text.contains("protocol mismatch"), "{text}");
}

/// In T=0 (the default, `--t0`) the card answers like the T=0 card its ATR announces; scriptor
/// (no GET RESPONSE magic) shows the raw `61xx` / `6Cxx`, the library follows them to the same
/// data.
#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn scriptor_sees_61xx_and_6cxx_from_a_t0_card() {
    let _g = e2e("scriptor_sees_61xx_and_6cxx_from_a_t0_card");
    let files = CardFiles::personalised("scriptor-t0");
    let mut opts = EmulateOptions::new(files.card.clone());
    opts.protocol = Protocol::T0;
    let _live = Live::start(opts);
    let (ok, text) = scriptor(
        None,
        &[SELECT_SSSE, "00C0000018", "00B2083000", "00B2083014"],
    );
    assert!(ok, "{text}");
    let r = scriptor_responses(&text);
    assert_eq!(r[0], "6118", "{text}");
    assert!(
        r[1].starts_with("6F16840F7378312E") && r[1].ends_with("9000"),
        "{text}"
    );
    assert_eq!(r[2], "6C14", "{text}");
    assert_eq!(
        r[3],
        "0812313130313031313939303033303731323333".to_owned() + "9000"
    );
    // The library, with its T=0 handling on, gets the data in one call.
    let mut s = Session::open(connect(READER0)).unwrap();
    assert_eq!(
        s.read_item("SSSE/EF06/08").unwrap().value.to_string(),
        "110101199003071233"
    );
    assert_eq!(s.read_basic_info().unwrap().holder.name, "王小明");
    s.into_transport().close().unwrap();
}

/// In T=1 (`--t1`) the ATR announces T=1, pcscd negotiates it and the card returns data at once:
/// scriptor sees the FCI and the record with 9000, Le 00 included.
#[test]
#[ignore = "needs pcscd + vpcd: run scripts/e2e-pcsc.sh"]
fn scriptor_sees_data_at_once_from_a_t1_card() {
    let _g = e2e("scriptor_sees_data_at_once_from_a_t1_card");
    let files = CardFiles::personalised("scriptor-t1");
    let mut opts = EmulateOptions::new(files.card.clone());
    opts.protocol = Protocol::T1;
    let live = Live::start(opts);
    assert_eq!(&live.atr[..5], &h("3BED000001")[..]);
    let (ok, text) = scriptor(Some("T=1"), &[SELECT_SSSE, "00B2083000"]);
    assert!(ok, "{text}");
    assert!(text.contains("Using T=1 protocol"), "{text}");
    let r = scriptor_responses(&text);
    assert!(
        r[0].starts_with("6F16840F7378312E") && r[0].ends_with("9000"),
        "{text}"
    );
    assert_eq!(
        r[1],
        "0812313130313031313939303033303731323333".to_owned() + "9000"
    );
    let mut s = Session::open(connect(READER0)).unwrap();
    assert_eq!(s.read_basic_info().unwrap().holder.name, "王小明");
    s.into_transport().close().unwrap();
}
