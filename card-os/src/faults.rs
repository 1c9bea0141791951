//! Deliberately faulty card-OS behaviour (cargo feature `faults`, off by default): the table the
//! conformance suite's mutation test (`terminal/tests/conform_faults.rs`) and
//! `sscard conform --fault NAME` switch on, one variant at a time, to prove the suite catches a card
//! that gets the behaviour wrong.
//!
//! Without the feature [`Faults`] does not exist and every check is the constant `false` (the
//! crate-internal `fault!` macro), so the firmware build carries none of it.

/// `fault!(config, name)`: whether fault `name` is switched on in the card's
/// [`Config`](crate::ctx::Config) (always `false` without the feature).
macro_rules! fault {
    ($config:expr, $name:ident) => {{
        #[cfg(feature = "faults")]
        let on = $config.card.faults.$name;
        #[cfg(not(feature = "faults"))]
        let on = false;
        on
    }};
}

#[cfg(feature = "faults")]
pub use table::*;

#[cfg(feature = "faults")]
mod table {
    /// One switch per deliberately faulty behaviour; all off ([`Faults::NONE`]) is the correct card.
    #[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
    pub struct Faults {
        /// SELECT of an absent EF/DF answers `6A83` (record not found) instead of `6A82`.
        pub missing_file_sw: bool,
        /// Line-protection MACs are not checked: a MAC-protected command (write, PIN UNBLOCK/RELOAD,
        /// lifecycle) with any 4 MAC bytes is accepted (a challenge is still required).
        pub mac_not_checked: bool,
        /// Only the last two of the four MAC bytes are compared.
        pub mac_half_checked: bool,
        /// VERIFY compares the PIN *before* touching the try counter: a correct PIN with a full
        /// counter writes nothing, a wrong one decides `63Cx` first and writes the decrement
        /// afterwards, ignoring a failed write — so a power cut during a wrong VERIFY gives a free
        /// guess (profile.md §4: "decremented and persisted before the comparison").
        pub pin_counter_after_compare: bool,
        /// EXTERNAL AUTHENTICATE compares the cryptogram before decrementing the key's try counter
        /// (a correct cryptogram writes nothing): cutting the power reveals the result for free.
        pub key_counter_after_compare: bool,
        /// Access rule of one EF wrong: SSSE EF06 (holder basic information) is readable without
        /// RKSSSE on a 3.00 card.
        pub ef06_read_unprotected: bool,
        /// A "PIN and key" read rule (DF04 EF05) is enforced as "PIN or key".
        pub pin_and_key_as_or: bool,
        /// Read rules are enforced only when the EF is addressed by SFI: the current EF (selected
        /// by FID) reads without them.
        pub read_rule_by_sfi_only: bool,
        /// A verified PIN also opens key-only read rules.
        pub pin_opens_key_files: bool,
        /// A plain write is allowed after any key of the DF passed EXTERNAL AUTHENTICATE.
        pub write_with_any_df_key: bool,
        /// A plain write (UPDATE RECORD/BINARY, APPEND RECORD) is allowed after the file's *read*
        /// key passed EXTERNAL AUTHENTICATE, not only its update key (UK).
        pub write_with_read_key: bool,
        /// The challenge is not consumed: it stays valid for any later command (EXTERNAL
        /// AUTHENTICATE or a MAC check can be replayed) until the next GET CHALLENGE.
        pub challenge_reusable: bool,
        /// GET CHALLENGE returns the same bytes every time (the generator is re-seeded per command).
        pub constant_challenge: bool,
        /// READ RECORD by number returns record 2 for record 1 and record 1 for record 2.
        pub record_numbers_swapped: bool,
        /// READ RECORD "all records from P1" (P2 = 05) returns the records in reverse order.
        pub read_all_out_of_order: bool,
        /// The DF FCI carries the DF's FID in tag 84 instead of its DF name / AID.
        pub fci_wrong_df_name: bool,
        /// The DF FCI carries no algorithm id `9F0C{86 xx}` (a 3.00 card must announce `03`).
        pub fci_no_algorithm_id: bool,
        /// Key-authentication states are kept when another DF is selected (profile.md §4: they
        /// belong to the DF whose key passed).
        pub security_state_kept_on_df_change: bool,
        /// The PIN state survives selecting the MF (profile.md §4: it holds while the current DF is
        /// the SSSE or below it).
        pub pin_state_kept_on_mf_select: bool,
        /// A warm reset keeps the volatile security state (PIN, key flags, current DF).
        pub reset_keeps_security_state: bool,
        /// A correct PIN does not restore the try counter to its limit.
        pub pin_counter_not_restored: bool,
        /// `63Cx` after a wrong PIN reports the tries left *before* the decrement.
        pub wrong_tries_count: bool,
        /// A successful EXTERNAL AUTHENTICATE does not restore the key's try counter.
        pub key_counter_not_restored: bool,
        /// PIN UNBLOCK does not require the PUK's EXTERNAL AUTHENTICATE (the STK MAC suffices).
        pub unblock_without_puk: bool,
        /// A temporarily blocked application still accepts every command.
        pub app_block_not_enforced: bool,
        /// CARD BLOCK is kept only in RAM: after a reset the card works again.
        pub card_block_reversible: bool,
        /// CARD BLOCK is written but takes effect only at the next reset.
        pub card_block_at_reset: bool,
        /// A temporarily blocked application refuses only READ RECORD.
        pub app_block_read_record_only: bool,
        /// UPDATE RECORD writes the record in place, in 16-byte pages, without the journal: a
        /// power cut leaves a half-old, half-new record.
        pub update_record_in_place: bool,
        /// APPEND RECORD to a cyclic file writes the header, then the record, without the
        /// journal: a power cut between them leaves a pointer to a stale record.
        pub append_record_in_place: bool,
        /// T=0 behaviour: `6Cxx` announces one byte more than the data available.
        pub t0_wrong_6cxx: bool,
    }

    /// A named fault: the `--fault` name, a one-line description and its switch.
    #[derive(Clone, Copy, Debug)]
    pub struct FaultInfo {
        /// Kebab-case name (`mac-not-checked`).
        pub name: &'static str,
        /// One line: what the faulty card does wrong.
        pub description: &'static str,
        /// The switch in [`Faults`].
        pub switch: fn(&mut Faults) -> &mut bool,
    }

    macro_rules! table {
        ($($field:ident, $name:literal, $text:literal;)*) => {
            impl Faults {
                /// Every fault off: the correct card.
                pub const NONE: Faults = Faults { $($field: false),* };
            }
            /// Every fault, in table order.
            pub const FAULTS: &[FaultInfo] = &[$(FaultInfo {
                name: $name,
                description: $text,
                switch: |f| &mut f.$field,
            }),*];
        };
    }

    table! {
        missing_file_sw, "missing-file-sw", "SELECT of an absent file answers 6A83 instead of 6A82";
        mac_not_checked, "mac-not-checked", "MAC-protected commands accept any MAC";
        mac_half_checked, "mac-half-checked", "only the last two MAC bytes are compared";
        pin_counter_after_compare, "pin-counter-after-compare", "VERIFY compares before persisting the decremented try counter (power cut = free guess)";
        key_counter_after_compare, "key-counter-after-compare", "EXTERNAL AUTHENTICATE compares before persisting the decremented key try counter";
        ef06_read_unprotected, "ef06-read-unprotected", "SSSE EF06 readable without RKSSSE on a 3.00 card";
        pin_and_key_as_or, "pin-and-key-as-or", "a PIN-and-key read rule (DF04 EF05) enforced as PIN-or-key";
        read_rule_by_sfi_only, "read-rule-by-sfi-only", "read rules enforced only for reads by SFI, not for the current EF";
        pin_opens_key_files, "pin-opens-key-files", "a verified PIN also opens key-only files";
        write_with_any_df_key, "write-with-any-df-key", "plain writes allowed after any key of the DF passed";
        write_with_read_key, "write-with-read-key", "plain writes allowed after the file's read key instead of its update key";
        challenge_reusable, "challenge-reusable", "the challenge is not consumed: replayed EXTERNAL AUTHENTICATE / MAC accepted";
        constant_challenge, "constant-challenge", "GET CHALLENGE returns the same bytes every time";
        record_numbers_swapped, "record-numbers-swapped", "READ RECORD by number returns records 1 and 2 swapped";
        read_all_out_of_order, "read-all-out-of-order", "READ RECORD all-from-P1 returns the records in reverse order";
        fci_wrong_df_name, "fci-wrong-df-name", "the DF FCI names the FID in tag 84 instead of the DF name / AID";
        fci_no_algorithm_id, "fci-no-algorithm-id", "the DF FCI carries no 9F0C algorithm id";
        security_state_kept_on_df_change, "security-state-kept-on-df-change", "key-authentication states survive selecting another DF";
        pin_state_kept_on_mf_select, "pin-state-kept-on-mf-select", "the PIN state survives selecting the MF";
        reset_keeps_security_state, "reset-keeps-security-state", "a warm reset keeps the PIN and key states";
        pin_counter_not_restored, "pin-counter-not-restored", "a correct PIN does not restore the try counter";
        wrong_tries_count, "wrong-tries-count", "63Cx reports the tries left before the decrement";
        key_counter_not_restored, "key-counter-not-restored", "a successful EXTERNAL AUTHENTICATE does not restore the key try counter";
        unblock_without_puk, "unblock-without-puk", "PIN UNBLOCK accepted without the PUK's EXTERNAL AUTHENTICATE";
        app_block_not_enforced, "app-block-not-enforced", "a temporarily blocked application accepts every command";
        card_block_reversible, "card-block-reversible", "CARD BLOCK is lost at the next reset";
        card_block_at_reset, "card-block-at-reset", "CARD BLOCK takes effect only at the next reset";
        app_block_read_record_only, "app-block-read-record-only", "a temporarily blocked application refuses only READ RECORD";
        update_record_in_place, "update-record-in-place", "UPDATE RECORD written in place without the journal (torn by a power cut)";
        append_record_in_place, "append-record-in-place", "APPEND RECORD to a cyclic file written in two steps without the journal";
        t0_wrong_6cxx, "t0-wrong-6cxx", "T=0: 6Cxx announces one byte more than available";
    }

    impl Faults {
        /// The fault called `name` (kebab-case, as in [`FAULTS`]).
        pub fn info(name: &str) -> Option<&'static FaultInfo> {
            FAULTS.iter().find(|f| f.name.eq_ignore_ascii_case(name))
        }

        /// With fault `name` switched on; `None` for an unknown name.
        pub fn with(mut self, name: &str) -> Option<Faults> {
            let info = Self::info(name)?;
            *(info.switch)(&mut self) = true;
            Some(self)
        }

        /// Whether any fault is on.
        pub fn any(&self) -> bool {
            *self != Faults::NONE
        }

        /// Names of the faults that are on.
        pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
            FAULTS.iter().filter_map(move |f| {
                let mut copy = *self;
                (*(f.switch)(&mut copy)).then_some(f.name)
            })
        }
    }
}

#[cfg(all(test, feature = "faults"))]
mod tests {
    use super::*;

    #[test]
    fn every_fault_has_its_own_name_and_switch() {
        for (i, f) in FAULTS.iter().enumerate() {
            assert!(FAULTS[..i].iter().all(|g| g.name != f.name), "{}", f.name);
            let one = Faults::NONE.with(f.name).unwrap();
            assert!(one.any());
            assert_eq!(one.names().collect::<Vec<_>>(), [f.name]);
        }
        assert!(!Faults::NONE.any());
        assert_eq!(Faults::NONE, Faults::default());
        assert!(Faults::NONE.with("no-such-fault").is_none());
    }
}
