//! Unit tests per command, including every error status word of sscard-spec.md §4 that the card
//! OS produces, on both suites where the crypto differs.
#![allow(clippy::unwrap_used, clippy::indexing_slicing)]

mod common;
use common::*;
use sscard_card_os::Quirks;
use sscard_keys::profile::{Profile, PBOC_CLASSIC_2, SSCARD_2, SSCARD_3};
use sscard_keys::session::internal_auth_response;
use sscard_specs::types::DfId;

const PROFILES: [&Profile; 3] = [&SSCARD_2, &SSCARD_3, &PBOC_CLASSIC_2];
const SSSE: &str = "00A404000F7378312E73682EC9E7BBE1B1A3D5CF";

#[test]
fn select_variants_and_errors() {
    for p in PROFILES {
        let mut h = Host::new(p);
        let (fci, sw) = h.sx(SSSE);
        assert_eq!(sw, 0x9000);
        if p.suite == sscard_keys::profile::Suite::Sm4 {
            assert!(fci.ends_with(&hx("9F0C03860103")), "{fci:02X?}");
        } else {
            assert!(!fci.windows(2).any(|w| w == [0x9F, 0x0C]));
        }
        assert_eq!(
            h.sx("00A4040C0F7378312E73682EC9E7BBE1B1A3D5CF"),
            (vec![], 0x9000)
        ); // P2 0C
           // DF by FID, by AID; EF by P1 00 and 02.
        assert_eq!(h.sw("00A4000002DF01"), 0x9000);
        let (fci, sw) = h.sx("00A4040006D15600000503");
        assert_eq!(sw, 0x9000);
        assert_eq!(&fci[2..10], &hx("8406D15600000503")[..]);
        assert_eq!(h.sw("00A4020002EF05"), 0x9000);
        assert_eq!(h.sw("00A4000002EF06"), 0x9000);
        assert_eq!(h.sw("00A40000023F00"), 0x9000);
        assert_eq!(h.sw("00A4010002DF01"), 0x6A82); // DF01 is not a child of the MF
                                                    // Errors.
        assert_eq!(h.sw("00A4000002EF99"), 0x6A82);
        assert_eq!(h.sw("00A4040006D15600000599"), 0x6A82);
        assert_eq!(h.sw("00A4050002EF05"), 0x6A86);
        assert_eq!(h.sw("00A4000402EF05"), 0x6A86);
        assert_eq!(h.sw("00A4000003EF0501"), 0x6700);
        assert_eq!(h.sw("10A4000002EF05"), 0x6E00);
        assert_eq!(h.sw("80A4000002EF05"), 0x6E00);
        assert_eq!(h.sw("0012000000"), 0x6D00);
        assert_eq!(h.sw("00A4"), 0x6700);
        assert_eq!(h.sw("00A40000"), 0x9000); // case 1 SELECT = MF
    }
}

#[test]
fn read_record_modes_sfi_and_errors() {
    let mut h = Host::with(&SSCARD_2, false, Quirks::default());
    h.select_ssse();
    // No current EF.
    assert_eq!(h.sw("00B2010400"), 0x6986);
    // By SFI (EF05 = SFI 5): record 1 = card id (factory: region ‖ RID ‖ serial ‖ auth code).
    let (d, sw) = h.sx("00B2012C00");
    assert_eq!(sw, 0x9000);
    assert_eq!(&d[..14], &hx("0110430299D15600000500000013")[..]);
    // By tag 03 = version "2.00"; by number; all from 6.
    assert_eq!(h.sx("00B2030000"), (hx("0304322E3030"), 0x9000));
    assert_eq!(h.sx("00B2020400"), (hx("020100"), 0x9000));
    let (all, _) = h.sx("00B2060500");
    assert_eq!(all, hx("060400000000 0709000000000000000000"));
    // Le shorter than the record: T=1 returns what fits.
    assert_eq!(h.sx("00B2030002"), (hx("0304"), 0x9000));
    // Errors.
    assert_eq!(h.sw("00B2090400"), 0x6A83);
    assert_eq!(h.sw("00B2EE0000"), 0x6A83);
    assert_eq!(h.sw("00B2010600"), 0x6A86);
    assert_eq!(h.sw("00B2000400"), 0x6A86);
    assert_eq!(h.sw("00B201FC00"), 0x6A86); // SFI 31
    assert_eq!(h.sw("00B2014C00"), 0x6A82); // SFI 9 not in SSSE
    assert_eq!(h.sw("00B2013C00"), 0x6981); // SFI 7 is transparent
    assert_eq!(h.sw("00B0000010"), 0x6982); // EF07 became current through its SFI; it needs RKSSSE
}

#[test]
fn read_all_quirk_and_t0_le() {
    let mut h = Host::with(
        &SSCARD_2,
        true,
        Quirks {
            refuse_read_all_records: true,
        },
    );
    h.select_ssse();
    h.sx("00C0000018");
    assert_eq!(h.sw("00A4000002EF05"), 0x9000);
    assert_eq!(h.sw("00B20105FF"), 0x6A86);
    assert_eq!(h.sx("00B2030000"), (vec![], 0x6C06));
    assert_eq!(h.sx("00B2030006"), (hx("0304322E3030"), 0x9000));
    assert_eq!(h.sx("00B2030004"), (vec![], 0x6C06));
    // GET RESPONSE without pending data; pending data dropped by another command.
    assert_eq!(h.sw("00C0000010"), 0x6985);
    assert_eq!(h.sx(SSSE), (vec![], 0x6118));
    assert_eq!(h.sw("00C0000020"), 0x6C18);
    let (d, sw) = h.sx("00C0000008");
    assert_eq!((d.len(), sw), (8, 0x6110));
    let (d, sw) = h.sx("00C0000010");
    assert_eq!((d.len(), sw), (16, 0x9000));
    assert_eq!(h.sx(SSSE).1, 0x6118);
    assert_eq!(h.sw("0084000008"), 0x9000);
    assert_eq!(h.sw("00C0000018"), 0x6985);
}

#[test]
fn verify_counts_blocks_and_restores() {
    let mut h = Host::new(&SSCARD_2);
    assert_eq!(h.sw("0020000003123456"), 0x6A88); // MF: no PIN here
    h.select_ssse();
    assert_eq!(h.sw("00200000"), 0x63C3);
    assert_eq!(h.sw("0020000003111111"), 0x63C2);
    assert_eq!(h.sw("0020000002123456"), 0x63C1); // wrong length = wrong PIN
    assert_eq!(h.sw("00200000"), 0x63C1);
    assert_eq!(h.sw("0020000003123456"), 0x9000);
    assert_eq!(h.sw("00200000"), 0x63C3);
    for want in [0x63C2, 0x63C1, 0x63C0, 0x6983, 0x6983] {
        assert_eq!(h.sw("0020000003999999"), want);
    }
    assert_eq!(h.sw("0020000003123456"), 0x6983);
    assert_eq!(h.sw("00200000"), 0x6983);
    assert_eq!(h.sw("00200100"), 0x6A86);
    assert_eq!(h.sw("002000000912345678901234567F"), 0x6700);
}

#[test]
fn pin_flag_scope_and_df_key_flags() {
    let mut h = Host::new(&SSCARD_2);
    h.select_ssse();
    assert_eq!(h.select_df(DfId::Df01), 0x9000);
    assert_eq!(h.select_ef(0xEF05), 0x9000);
    assert_eq!(h.sw("00B2200000"), 0x6982);
    assert_eq!(h.sw("0020000003123456"), 0x9000);
    assert_eq!(h.sx("00B2200000").1, 0x9000);
    // PIN holds in other DFs below the SSSE.
    assert_eq!(h.select_df(DfId::Df02), 0x9000);
    assert_eq!(h.sw("00B2012C00"), 0x9000);
    // MF clears it.
    assert_eq!(h.sw("00A40000023F00"), 0x9000);
    assert_eq!(h.select_df(DfId::Df01), 0x9000);
    assert_eq!(h.sw("00B2012C00"), 0x6982);
    // RK1DF01 opens DF01 reads; selecting another DF clears it.
    assert_eq!(h.ext_auth("RK1DF01"), 0x9000);
    assert_eq!(h.sw("00B2012C00"), 0x9000);
    assert_eq!(h.select_df(DfId::Df02), 0x9000);
    assert_eq!(h.select_df(DfId::Df01), 0x9000);
    assert_eq!(h.sw("00B2012C00"), 0x6982);
}

#[test]
fn external_authenticate_counters_and_errors() {
    for p in PROFILES {
        let mut h = Host::new(p);
        h.select_ssse();
        assert_eq!(
            h.sw("008200040102030405060708090A0B0C0D0E0F10"
                .replace("10", "")
                .as_str()),
            0x6700
        );
        // No challenge.
        assert_eq!(h.sw("0082000410000102030405060708090A0B0C0D0E0F"), 0x6984);
        // Unknown KID, wrong role (IRK 00, STK 07).
        h.challenge();
        assert_eq!(h.sw("0082007710000102030405060708090A0B0C0D0E0F"), 0x6A88);
        assert_eq!(h.sw("0082000010000102030405060708090A0B0C0D0E0F"), 0x6A88);
        assert_eq!(h.sw("0082010410000102030405060708090A0B0C0D0E0F"), 0x6A86);
        // Wrong cryptogram: 63C2, 63C1 ...; success restores.
        h.challenge();
        assert_eq!(h.sw("0082000410000102030405060708090A0B0C0D0E0F"), 0x63C2);
        h.challenge();
        assert_eq!(h.sw("0082000410000102030405060708090A0B0C0D0E0F"), 0x63C1);
        assert_eq!(h.ext_auth("UKSSSE"), 0x9000);
        h.challenge();
        assert_eq!(h.sw("0082000410000102030405060708090A0B0C0D0E0F"), 0x63C2);
        // The challenge is single use: a second attempt without a new challenge is 6984.
        assert_eq!(h.sw("0082000410000102030405060708090A0B0C0D0E0F"), 0x6984);
        for want in [0x63C1, 0x63C0, 0x6983] {
            h.challenge();
            assert_eq!(h.sw("0082000410000102030405060708090A0B0C0D0E0F"), want);
        }
        assert_eq!(h.ext_auth("UKSSSE"), 0x6983);
        // Challenge consumed by an unrelated command.
        h.challenge();
        h.sx("00A4000002EF05");
        assert_eq!(h.sw("0082000A10000102030405060708090A0B0C0D0E0F"), 0x6984);
        // GET CHALLENGE lengths.
        assert_eq!(h.sx("0084000004").0.len(), 4);
        assert_eq!(h.sx("0084000010").0.len(), 16);
        assert_eq!(h.sw("0084000005"), 0x6700);
        assert_eq!(h.sw("00840000"), 0x6700);
        assert_eq!(h.sw("0084010008"), 0x6A86);
    }
}

#[test]
fn update_record_plain_and_mac() {
    for p in PROFILES {
        let mut h = Host::new(p);
        h.select_ssse();
        assert_eq!(h.select_ef(0xEF06), 0x9000);
        let name = "0D0419800101";
        // Plain write needs UKSSSE.
        assert_eq!(h.sw(&format!("00DC070406{name}")), 0x6982);
        assert_eq!(h.ext_auth("UKSSSE"), 0x9000);
        assert_eq!(h.sw(&format!("00DC070406{name}")), 0x9000);
        if p.name != "sscard-3" {
            assert_eq!(h.sx("00B20D0000"), (hx(name), 0x9000));
        }
        assert_eq!(h.sw("00DC090400"), 0x6700);
        assert_eq!(h.sw("00DC630406"), 0x6700);
        assert_eq!(h.sw(&format!("00DC630406{name}")), 0x6A83);
        assert_eq!(h.sw(&format!("00DC070006{name}")), 0x6A86);
        assert_eq!(h.sw(&format!("00DC07042A{}", "00".repeat(42))), 0x6700); // record max is 2+0x1E
                                                                             // MAC'd write (CLA 04) under UKSSSE's process key: no ext-auth needed.
        let mut h = Host::new(p);
        h.select_ssse();
        h.select_ef(0xEF06);
        assert_eq!(
            h.send_mac("UKSSSE", [0x04, 0xDC, 0x07, 0x04], &hx(name)),
            0x9000
        );
        // Wrong key → 6988; no challenge → 6984.
        assert_eq!(
            h.send_mac("UK1DF01", [0x04, 0xDC, 0x07, 0x04], &hx(name)),
            0x6988
        );
        let a = h.mac_apdu("UKSSSE", [0x04, 0xDC, 0x07, 0x04], &hx(name));
        assert_eq!(h.send(&a).1, 0x9000);
        assert_eq!(h.send(&a).1, 0x6984); // replay: the challenge is gone
        let mut bad = h.mac_apdu("UKSSSE", [0x04, 0xDC, 0x07, 0x04], &hx(name));
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert_eq!(h.send(&bad).1, 0x6988);
        assert_eq!(h.sw("04DC07040301020304"), 0x6700); // MAC but no data
    }
}

#[test]
fn binary_files_and_append_record() {
    let mut h = Host::new(&SSCARD_2);
    h.select_ssse();
    assert_eq!(h.select_ef(0xEF07), 0x9000);
    assert_eq!(h.sw("00B0000010"), 0x6982);
    assert_eq!(h.ext_auth("RKSSSE"), 0x9000);
    assert_eq!(h.sx("00B0000004"), (vec![0; 4], 0x9000));
    assert_eq!(h.sw("00D6000004AABBCCDD"), 0x6982);
    assert_eq!(h.ext_auth("UKSSSE"), 0x9000);
    assert_eq!(h.sw("00D6000204AABBCCDD"), 0x9000);
    assert_eq!(h.ext_auth("RKSSSE"), 0x9000);
    assert_eq!(h.sx("00B0000006"), (hx("0000AABBCCDD"), 0x9000));
    assert_eq!(h.sx("00B002FE04"), (hx("0000"), 0x9000)); // 2 bytes left of 0x300
    assert_eq!(h.sx("00B0030004"), (vec![], 0x9000)); // offset = size: nothing left
    assert_eq!(h.sw("00B0040000"), 0x6A86); // past the end
    assert_eq!(h.sx("00B0870000").1, 0x9000); // SFI 7 form
    assert_eq!(h.sw("00B0A70000"), 0x6A86); // P1 bits 6-7 set
    assert_eq!(h.ext_auth("UKSSSE"), 0x9000);
    assert_eq!(h.sw("00D602FE04AABBCCDD"), 0x6700);
    assert_eq!(h.sw("00D6030001AA"), 0x6A86);
    assert_eq!(h.sw("00B2010400"), 0x6981);
    // APPEND RECORD: variable file full → 6A84; fixed → 6981; DF04 EF08 never writable.
    h.select_ef(0xEF05);
    assert_eq!(h.sw("00E2000003070100"), 0x6A84);
    assert_eq!(h.sw("00E2010003070100"), 0x6A86);
    h.select_df(DfId::Df04);
    h.select_ef(0xEF08);
    assert_eq!(h.sw(&format!("00E200001C{}", "11".repeat(28))), 0x6982);
    // Cyclic append with UK2DF04 on DF04 EF15 (3-byte records): record 1 = newest.
    h.select_ef(0xEF15);
    assert_eq!(h.ext_auth("UK2DF04"), 0x9000);
    for i in 1..=10u8 {
        assert_eq!(h.sw(&format!("00E2000003{i:02X}0031")), 0x9000);
    }
    assert_eq!(h.sw("00E200000201"), 0x6700);
    assert_eq!(h.ext_auth("RK1DF04"), 0x9000);
    assert_eq!(h.sx("00B2010400"), (hx("0A0031"), 0x9000));
    assert_eq!(h.sx("00B2020400"), (hx("090031"), 0x9000));
    assert_eq!(h.sx("00B2080400"), (hx("030031"), 0x9000));
    assert_eq!(h.sw("00B2090400"), 0x6A83);
    // Fixed-record file DF03 EF19 (0x29-byte records).
    h.select_df(DfId::Df03);
    h.select_ef(0xEF19);
    assert_eq!(h.ext_auth("UK8DF03"), 0x9000);
    assert_eq!(h.sw("00E2000003790100"), 0x6981);
    assert_eq!(h.sw("00DC01040379 0100".replace(' ', "").as_str()), 0x6700);
}

#[test]
fn change_pin_unblock_reload() {
    for p in PROFILES {
        let mut h = Host::new(p);
        h.select_ssse();
        assert_eq!(h.sw("805E010007123456FF654321"), 0x9000);
        assert_eq!(h.sw("0020000003123456"), 0x63C2);
        assert_eq!(h.sw("0020000003654321"), 0x9000);
        assert_eq!(h.sw("805E010007111111FF222222"), 0x63C2);
        assert_eq!(h.sw("805E010006654321FF1234"), 0x9000); // 4 digits is the minimum
        assert_eq!(h.sw("805E010005654321FF12"), 0x6A80); // 2 digits
        assert_eq!(h.sw("0020000002 1234".replace(' ', "").as_str()), 0x9000);
        assert_eq!(h.sw("805E010005123456AB12"), 0x6A80); // no FF separator
        assert_eq!(
            h.sw("805E010005 1234FF12 3A".replace(' ', "").as_str()),
            0x6A80
        ); // bad BCD
        assert_eq!(h.sw("005E010007123456FF654321"), 0x6E00);
        assert_eq!(h.sw("805E000007123456FF654321"), 0x6A86);
        for _ in 0..3 {
            h.sw("0020000003000000");
        }
        assert_eq!(
            h.sw("805E010006 1234FF654321".replace(' ', "").as_str()),
            0x6983
        );
        // PIN UNBLOCK: needs PUK ext-auth, then an STK MAC.
        assert_eq!(h.send_mac("STK", [0x84, 0x24, 0x00, 0x00], &[]), 0x6982);
        assert_eq!(h.ext_auth("PUK"), 0x9000);
        assert_eq!(
            h.sw("8424000004 01020304".replace(' ', "").as_str()),
            0x6984
        );
        assert_eq!(h.send_mac("PUK", [0x84, 0x24, 0x00, 0x00], &[]), 0x6988);
        assert_eq!(h.send_mac("STK", [0x84, 0x24, 0x00, 0x00], &[]), 0x9000);
        assert_eq!(h.sw("00200000"), 0x63C3);
        assert_eq!(h.sw("0020000002 1234".replace(' ', "").as_str()), 0x9000);
        // PIN RELOAD to 888888.
        let a = h.pin_reload_apdu(&hx("888888"));
        assert_eq!(h.send(&a).1, 0x9000);
        assert_eq!(h.sw("0020000003888888"), 0x9000);
        let a = h.pin_reload_apdu(&hx("88"));
        assert_eq!(h.send(&a).1, 0x6A80); // 2 digits
        assert_eq!(
            h.sw("8424000204 01020304".replace(' ', "").as_str()),
            0x6A86
        );
        assert_eq!(
            h.sw("0424000004 01020304".replace(' ', "").as_str()),
            0x6E00
        );
    }
}

#[test]
fn internal_authenticate_matches_host() {
    for p in PROFILES {
        let mut h = Host::new(p);
        h.select_ssse();
        let (r, sw) = h.sx("00880000101122334455667788 0102030405060708"
            .replace(' ', "")
            .as_str());
        assert_eq!(sw, 0x9000);
        let want = internal_auth_response(
            p,
            &h.card_key("IRK"),
            &hx("1122334455667788").try_into().unwrap(),
            &[1, 2, 3, 4, 5, 6, 7, 8],
        )
        .unwrap();
        assert_eq!(r, want.to_vec());
        assert_eq!(
            h.sw("00880004101122334455667788 0102030405060708"
                .replace(' ', "")
                .as_str()),
            0x6A88
        ); // KID 04 = UKSSSE
        assert_eq!(
            h.sw("0088000008 1122334455667788".replace(' ', "").as_str()),
            0x6700
        );
    }
}

#[test]
fn application_and_card_block() {
    for p in PROFILES {
        let mut h = Host::new(p);
        h.select_ssse();
        assert_eq!(
            h.sw("841E000004 01020304".replace(' ', "").as_str()),
            0x6984
        );
        assert_eq!(h.send_mac("UKSSSE", [0x84, 0x1E, 0x00, 0x00], &[]), 0x6988);
        assert_eq!(h.send_mac("STK", [0x84, 0x1E, 0x00, 0x00], &[]), 0x9000);
        // Blocked: only SELECT, GET CHALLENGE, EXTERNAL AUTHENTICATE, APPLICATION UNBLOCK.
        assert_eq!(h.sw("00A4000002EF05"), 0x9000);
        assert_eq!(h.sw("00B2010400"), 0x6985);
        assert_eq!(h.sw("0020000003123456"), 0x6985);
        let (fci, sw) = h.sx(SSSE);
        assert_eq!((fci.is_empty(), sw), (false, 0x6283));
        assert_eq!(h.select_df(DfId::Df01), 0x6283); // below a blocked SSSE
        assert_eq!(h.sw("00B2010400"), 0x6985);
        h.sx(SSSE);
        assert_eq!(h.ext_auth("UKSSSE"), 0x9000);
        assert_eq!(h.send_mac("STK", [0x84, 0x18, 0x00, 0x00], &[]), 0x9000);
        assert_eq!(h.sx(SSSE).1, 0x9000);
        assert_eq!(h.sw("00A4000002EF05"), 0x9000);
        assert_eq!(h.sx("00B2010400").1, 0x9000);
        // Permanent block of DF07: 6A81, not selectable.
        assert_eq!(h.select_df(DfId::Df07), 0x9000);
        assert_eq!(h.send_mac("STK", [0x84, 0x1E, 0x00, 0x01], &[]), 0x9000);
        assert_eq!(h.sw("0084000008"), 0x6A81);
        assert_eq!(h.sx(SSSE).1, 0x9000);
        assert_eq!(h.select_df(DfId::Df07), 0x6A81);
        assert_eq!(h.select_df(DfId::Df01), 0x9000);
        // MF cannot be blocked.
        assert_eq!(h.sw("00A40000023F00"), 0x9000);
        assert_eq!(h.send_mac("STK", [0x84, 0x1E, 0x00, 0x00], &[]), 0x6985);
        assert_eq!(
            h.sw("841E000204 01020304".replace(' ', "").as_str()),
            0x6A86
        );
        assert_eq!(
            h.sw("841E000005 0102030405".replace(' ', "").as_str()),
            0x6700
        );
        // CARD BLOCK: 6A81 for everything, forever (also after a power cycle).
        assert_eq!(h.send_mac("STK", [0x84, 0x16, 0x00, 0x00], &[]), 0x9000);
        assert_eq!(h.sw(SSSE), 0x6A81);
        assert_eq!(h.sw("0084000008"), 0x6A81);
        h.card.power_off();
        h.card.power_on();
        assert_eq!(h.sw(SSSE), 0x6A81);
        assert_eq!(h.card.atr().len(), 17);
    }
}

#[test]
fn atr_and_power_cycle_clear_volatile_state() {
    let mut h = Host::new(&SSCARD_3);
    assert_eq!(h.card.atr(), &hx("3B6D00000081544C928684420100000135")[..]);
    h.select_ssse();
    assert_eq!(h.sw("0020000003123456"), 0x9000);
    h.card.reset();
    assert_eq!(h.sw("00B2010400"), 0x6986); // nothing selected after reset
    h.select_ssse();
    h.select_df(DfId::Df01);
    assert_eq!(h.sw("00B2012C00"), 0x6982); // PIN flag gone
    let mut small = [0u8; 1];
    assert_eq!(h.card.process(&hx("0084000008"), &mut small), 0);
    let mut tiny = [0u8; 6];
    // A response buffer too short for the data: 6700, nothing else.
    assert_eq!(h.card.process(&hx("0084000008"), &mut tiny), 2);
    assert_eq!(&tiny[..2], &[0x67, 0x00]);
}
