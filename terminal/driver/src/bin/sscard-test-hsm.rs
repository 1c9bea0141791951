//! A test back end playing the online HSM from an issuer key file (TEST KEYS), for HSM-mode tests
//! and demos of libSSCardDriver:
//!
//! ```text
//! sscard-test-hsm KEYS.toml bas STEP1                  # pKey for iReadCardBas_HSM_Step2
//! sscard-test-hsm KEYS.toml auth REQUEST RESET CARDID  # pKey for iReadCard/iWriteCard/…_HSM_Step2
//! sscard-test-hsm KEYS.toml mac REQUEST RESET CARDID   # pKey for i…PIN_HSM_Step3
//! sscard-test-hsm KEYS.toml debit REQUEST RESET CARDID # pKey for iDoDebit_HSM_Step2
//! ```
//!
//! RESET and CARDID are the 卡复位信息 and 卡识别码 fields of the caller's `iReadCardBas`.
//! Prints the pKey on stdout; exit 2 on a usage error, 1 when the request is refused.

use std::process::ExitCode;

use sscard_terminal::national::hsm::{HsmCard, TestHsm};
use sscard_terminal::security::keyfile::KeyFile;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let usage = || {
        eprintln!(
            "usage: sscard-test-hsm KEYS.toml bas STEP1 | (auth|mac|debit) REQUEST RESET CARDID"
        );
        ExitCode::from(2)
    };
    let (Some(keys), Some(what), Some(req)) = (args.first(), args.get(1), args.get(2)) else {
        return usage();
    };
    let kf = match KeyFile::load(std::path::Path::new(keys)) {
        Ok(k) => k,
        Err(e) => {
            eprintln!("sscard-test-hsm: {e}");
            return ExitCode::from(2);
        }
    };
    let mut hsm = TestHsm::new(kf.into_security_module());
    let card = || HsmCard {
        reset_info: args.get(3).cloned().unwrap_or_default(),
        card_id: args.get(4).cloned().unwrap_or_default(),
    };
    let r = match what.as_str() {
        "bas" => hsm.read_card_bas(req),
        "auth" => hsm.external_auth(req, &card()),
        "mac" => hsm.pin_mac(req, &card()),
        "debit" => hsm.debit_mac1(req, &card()),
        _ => return usage(),
    };
    match r {
        Ok(k) => {
            println!("{k}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("sscard-test-hsm: {}", e.message());
            ExitCode::from(1)
        }
    }
}
