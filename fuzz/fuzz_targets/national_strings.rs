//! The national interface's string parsers on arbitrary text: file addresses (pFileAddr, against
//! the specs), HSM keys (pKey of every Step2/Step3), pay info (pPayInfo). None may panic.
#![no_main]

use libfuzzer_sys::fuzz_target;
use sscard_terminal::national::{check_file_address, hsm, pay};

fuzz_target!(|data: &[u8]| {
    let Ok(s) = std::str::from_utf8(data) else {
        return;
    };
    let _ = check_file_address(s);
    for _ in sscard_specs::paths::parse_pfileaddr(s) {}
    let _ = hsm::parse_read_card_bas_key(s);
    let _ = hsm::parse_cryptogram_key(s);
    let _ = hsm::parse_mac_key(s, 8);
    let _ = hsm::parse_mac_key(s, 16);
    let _ = hsm::key_at_address(s);
    let _ = pay::parse_pay_info(s);
});
