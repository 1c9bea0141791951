//! The context a case's step runs in: the card (through a [`Target`]), the optional security
//! module, what the probe learnt about the card, and the exchange log that a failure shows.
//!
//! Every APDU goes through [`Ctx::send`], which records the command (PIN data masked by
//! [`sscard_terminal::transport::redact`]) and the response. Helpers return `Result<T, Verdict>`, so a step
//! reads like the test procedure and `?` ends it with the right verdict.

use sscard_apdu::commands::{self, RecordSelector};
use sscard_apdu::exchange::T0Policy;
use sscard_apdu::{Command, StatusWord};
use sscard_keys::profile::{SSCARD_2, SSCARD_3};
use sscard_keys::{DiversificationFactors, Pin, Profile};
use sscard_specs::files::{self, SSSE_NAME};
use sscard_specs::types::{DfId, EfSpec, EfStructure, ReadRule};
use sscard_specs::{key_by_name, EfRef, KeySpec, SpecVersion};

use super::power::{PowerControl, Target};
use super::report::Exchange;
use super::verdict::{fail, skip, Check, Verdict};
use sscard_terminal::session::Crypto;
use sscard_terminal::transport::redact;

/// A response APDU split into data and status word.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Resp {
    /// Response data.
    pub data: Vec<u8>,
    /// Status word.
    pub sw: StatusWord,
}

impl Resp {
    /// `9000` or `61xx`.
    pub fn ok(&self) -> bool {
        self.sw.is_success()
    }
}

/// `6A82 (file not found)`.
pub fn sw_text(sw: StatusWord) -> String {
    format!("{:04X} ({})", sw.0, sw.description())
}

/// `6A86 or 6B00`.
pub(crate) fn sw_list(ok: &[StatusWord]) -> String {
    ok.iter()
        .map(|s| format!("{:04X}", s.0))
        .collect::<Vec<_>>()
        .join(" or ")
}

/// `sw` must be `want`: else a failure `"{what}: expected 6A82 (file not found), the card
/// answered …"`.
pub fn expect_sw(what: &str, sw: StatusWord, want: StatusWord) -> Check {
    if sw == want {
        Ok(())
    } else {
        Err(fail(format!(
            "{what}: expected {}, the card answered {}",
            sw_text(want),
            sw_text(sw)
        )))
    }
}

/// What happened to the `--pin` PIN so far in this run.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum PinState {
    /// Not presented yet.
    Unknown,
    /// Presented and accepted (a correct PIN restores the try counter: presenting it again is safe).
    Accepted,
    /// Presented and refused: never presented again in this run.
    Refused(String),
    /// A destructive case left the PIN blocked.
    Blocked,
}

/// What the run knows about the card (from the probe) and the run-wide PIN state.
#[derive(Clone, Debug)]
pub(crate) struct Env {
    pub atr: Vec<u8>,
    pub card_id: Option<[u8; 16]>,
    pub version: Option<SpecVersion>,
    pub algorithm_id: Option<u8>,
    pub card_number: Option<String>,
    pub pin: Option<String>,
    pub pin_state: PinState,
}

/// The context of one case.
pub struct Ctx<'a> {
    target: &'a mut dyn Target,
    crypto: Option<&'a mut dyn Crypto>,
    pub(crate) env: &'a mut Env,
    log: Vec<Exchange>,
}

impl<'a> Ctx<'a> {
    pub(crate) fn new(
        target: &'a mut dyn Target,
        crypto: Option<&'a mut dyn Crypto>,
        env: &'a mut Env,
    ) -> Self {
        Ctx {
            target,
            crypto,
            env,
            log: Vec::new(),
        }
    }

    pub(crate) fn into_log(self) -> Vec<Exchange> {
        self.log
    }

    /// Add a free-text line to the exchange log.
    pub fn note(&mut self, text: impl Into<String>) {
        self.log.push(Exchange::note(text.into()));
    }

    // ------------------------------------------------------------------ transport

    /// Send one C-APDU; a transport error fails the case.
    pub fn send(&mut self, apdu: &[u8]) -> Result<Resp, Verdict> {
        let shown = redact(apdu);
        match self.target.transport().transmit(apdu) {
            Ok(r) if r.len() >= 2 => {
                let (data, sw) = r.split_at(r.len() - 2);
                let sw = StatusWord::new(sw[0], sw[1]);
                self.log.push(Exchange::apdu(shown, data, sw));
                Ok(Resp {
                    data: data.to_vec(),
                    sw,
                })
            }
            Ok(r) => {
                self.log.push(Exchange::note(format!(
                    "> {shown}\n< {} (no status word)",
                    hex::encode_upper(&r)
                )));
                Err(fail("the card answered without a status word"))
            }
            Err(e) => {
                self.log
                    .push(Exchange::note(format!("> {shown}\n< transport error: {e}")));
                Err(fail(format!("transport error: {e}")))
            }
        }
    }

    /// Send one C-APDU with the transport in raw mode (`T0Policy::RAW`: the card's `61xx` and
    /// `6Cxx` come back as they are, no GET RESPONSE or re-issue by the host), then put the
    /// transport's policy back. `Ok(None)` when the transport has no raw mode.
    pub fn send_raw(&mut self, apdu: &[u8]) -> Result<Option<Resp>, Verdict> {
        let Some(old) = self.target.transport().swap_t0_policy(T0Policy::RAW) else {
            return Ok(None);
        };
        self.note("raw: the host does not follow 61xx / 6Cxx for the next command");
        let r = self.send(apdu);
        self.target.transport().swap_t0_policy(old);
        r.map(Some)
    }

    /// [`Ctx::send_raw`], or a skip when the transport has no raw mode.
    pub fn send_raw_or_skip(&mut self, apdu: &[u8]) -> Result<Resp, Verdict> {
        self.send_raw(apdu)?
            .ok_or_else(|| skip("the transport cannot send raw APDUs (no T=0 raw mode)"))
    }

    /// Send a built command.
    pub fn send_cmd(&mut self, c: &Command) -> Result<Resp, Verdict> {
        let bytes = c
            .to_vec()
            .map_err(|e| fail(format!("cannot encode a command: {e}")))?;
        self.send(&bytes)
    }

    /// Send and require one of the status words `ok` (a T=0 card's `61xx` never shows here: the
    /// transport follows it with GET RESPONSE, so FCI + `9000` and `61xx` are the same answer).
    pub fn expect(&mut self, what: &str, apdu: &[u8], ok: &[StatusWord]) -> Result<Resp, Verdict> {
        let r = self.send(apdu)?;
        if ok.contains(&r.sw) {
            Ok(r)
        } else {
            Err(fail(format!(
                "{what}: expected {}, the card answered {}",
                sw_list(ok),
                sw_text(r.sw)
            )))
        }
    }

    /// [`Ctx::expect`] for a built command.
    pub fn expect_cmd(
        &mut self,
        what: &str,
        c: &Command,
        ok: &[StatusWord],
    ) -> Result<Resp, Verdict> {
        let bytes = c
            .to_vec()
            .map_err(|e| fail(format!("cannot encode a command: {e}")))?;
        self.expect(what, &bytes, ok)
    }

    /// Cold state: reset the card (a transport that cannot reset keeps going; the log says so).
    pub fn reset(&mut self) -> Check {
        if let Err(e) = self.target.transport().reset() {
            self.note(format!("reset not possible: {e}"));
        }
        Ok(())
    }

    /// The power control of the target, or a skip.
    pub fn power(&mut self) -> Result<&mut dyn PowerControl, Verdict> {
        self.target
            .power()
            .ok_or_else(|| skip("needs a transport that can cut the power (use --emulator)"))
    }

    // ------------------------------------------------------------------ card facts

    /// The card's spec version (from the probe; 2.00 when unknown).
    pub fn version(&self) -> SpecVersion {
        self.env.version.unwrap_or(SpecVersion::V2_00)
    }

    /// The ATR.
    pub fn atr(&self) -> Vec<u8> {
        self.env.atr.clone()
    }

    /// The security profile: the security module's, else the one the card's version implies.
    pub fn profile(&self) -> &'static Profile {
        if let Some(c) = self.crypto.as_deref() {
            return c.profile();
        }
        match (self.env.algorithm_id, self.version()) {
            (Some(0x03), _) | (_, SpecVersion::V3_00) => &SSCARD_3,
            _ => &SSCARD_2,
        }
    }

    /// Whether a security module is available.
    pub fn has_keys(&self) -> bool {
        self.crypto.is_some()
    }

    fn crypto(&mut self) -> Result<&mut dyn Crypto, Verdict> {
        match self.crypto.as_deref_mut() {
            Some(c) => Ok(c),
            None => Err(skip("needs issuer keys (--keys FILE or --psam-reader)")),
        }
    }

    /// The card's diversified purse key `name` (DPK, DLK, DTK) from the security module; a skip
    /// when the module gives no keys out (a PSAM).
    pub fn purse_card_key(&mut self, name: &str) -> Result<sscard_keys::Key, Verdict> {
        let spec = key(name)?;
        let f = self.factors(spec)?;
        self.crypto()?
            .purse_card_key(name, &f)
            .map_err(|e| fail(format!("{name}: {e}")))?
            .ok_or_else(|| {
                skip("the security module gives no purse keys out (a PSAM): run with --keys FILE")
            })
    }

    /// The diversification factors of `key` for this card (ATR + card-id region).
    pub fn factors(&self, key: &KeySpec) -> Result<DiversificationFactors, Verdict> {
        let id = self.env.card_id.ok_or_else(|| {
            fail("the card identification code (SSSE EF05 tag 01) could not be read")
        })?;
        let atr8 = sscard_terminal::model::atr::card_factor(&self.env.atr)
            .ok_or_else(|| fail("the ATR has fewer than 8 historical bytes"))?;
        let region = [id[0], id[1], id[2]];
        DiversificationFactors::for_levels_with(&self.profile().factors, key.levels, &atr8, &region)
            .map_err(|e| fail(format!("diversification factors for {}: {e}", key.name)))
    }

    // ------------------------------------------------------------------ selection

    /// SELECT the SSSE by name; FCI+`9000` and `61xx` are both accepted.
    pub fn select_ssse(&mut self) -> Result<Resp, Verdict> {
        let c =
            commands::select_by_name(SSSE_NAME).map_err(|e| fail(format!("SELECT SSSE: {e}")))?;
        let r = self.send_cmd(&c)?;
        if r.ok() {
            Ok(r)
        } else {
            Err(fail(format!("SELECT SSSE by name: {}", sw_text(r.sw))))
        }
    }

    /// Select `df` the way hosts do (SSSE by name, then `00 A4 00 00 02 DFxx`); returns the final
    /// response whatever it is.
    pub fn try_select_df(&mut self, df: DfId) -> Result<Resp, Verdict> {
        match df {
            DfId::Mf => self.send_cmd(&commands::select_by_fid(files::MF_FID)),
            DfId::Ssse => {
                let c = commands::select_by_name(SSSE_NAME)
                    .map_err(|e| fail(format!("SELECT SSSE: {e}")))?;
                self.send_cmd(&c)
            }
            _ => {
                self.select_ssse()?;
                let fid = files::df(df).fid.unwrap_or(0);
                self.send_cmd(&commands::select_by_fid(fid))
            }
        }
    }

    /// Select `df`; anything but success fails the case.
    pub fn select_df(&mut self, df: DfId) -> Result<Resp, Verdict> {
        let r = self.try_select_df(df)?;
        if r.ok() {
            Ok(r)
        } else {
            Err(fail(format!("SELECT {}: {}", df.name(), sw_text(r.sw))))
        }
    }

    /// Select `df`; an absent `optional` DF (`6A82`) is a skip, anything else but success fails.
    pub fn select_df_unless_absent(&mut self, df: DfId, optional: bool) -> Result<Resp, Verdict> {
        let r = self.try_select_df(df)?;
        if r.sw == StatusWord::FILE_NOT_FOUND && optional {
            return Err(skip(format!("{} absent (optional)", df.name())));
        }
        if r.ok() {
            Ok(r)
        } else {
            Err(fail(format!("SELECT {}: {}", df.name(), sw_text(r.sw))))
        }
    }

    /// Select the DF of `ef`, then the EF (`00 A4 02 00 02 EFxx`); anything but success fails.
    pub fn select_ef(&mut self, ef: &EfSpec) -> Result<Resp, Verdict> {
        self.select_df(ef.df)?;
        let r = self.send_cmd(&commands::select_ef(ef.fid))?;
        if r.ok() {
            Ok(r)
        } else {
            Err(fail(format!("SELECT {}: {}", ef_name(ef), sw_text(r.sw))))
        }
    }

    /// SELECT `ef` by FID in the current DF (`00 A4 02 00 02 EFxx`); anything but `9000` fails
    /// (`SELECT SSSE/EF05: expected 9000, …`).
    pub fn expect_select_ef(&mut self, ef: &EfSpec) -> Result<Resp, Verdict> {
        self.expect_cmd(
            &format!("SELECT {}", ef_name(ef)),
            &commands::select_ef(ef.fid),
            &[StatusWord::OK],
        )
    }

    /// SELECT the named EF `ef` by FID in the current DF; anything but `9000` fails
    /// (`SELECT EF05: expected 9000, …`).
    pub fn expect_select_named_ef(&mut self, ef: EfRef) -> Check {
        self.expect_cmd(
            &format!("SELECT EF{:02X}", ef.fid() & 0xFF),
            &commands::select_ef(ef.fid()),
            &[StatusWord::OK],
        )?;
        Ok(())
    }

    /// SELECT the SSSE, then its EF `ef` ([`Ctx::expect_select_named_ef`]).
    pub fn select_ssse_ef(&mut self, ef: EfRef) -> Check {
        self.select_ssse()?;
        self.expect_select_named_ef(ef)
    }

    // ------------------------------------------------------------------ security

    /// GET CHALLENGE of the profile's length; the answer must be that many bytes with `9000`.
    pub fn challenge(&mut self) -> Result<Vec<u8>, Verdict> {
        let len = self.profile().challenge_len;
        let c = commands::get_challenge(len).map_err(|e| fail(format!("GET CHALLENGE: {e}")))?;
        let r = self.expect_cmd("GET CHALLENGE", &c, &[StatusWord::OK])?;
        if r.data.len() != usize::from(len) {
            return Err(fail(format!(
                "GET CHALLENGE Le={len:02X} returned {} bytes",
                r.data.len()
            )));
        }
        Ok(r.data)
    }

    /// The EXTERNAL AUTHENTICATE APDU for key `name` and `challenge` (random source S).
    pub fn ext_auth_apdu(&mut self, name: &str, challenge: &[u8]) -> Result<Vec<u8>, Verdict> {
        let spec = key(name)?;
        let kid = spec
            .kid
            .ok_or_else(|| fail(format!("key {name} has no card KID")))?;
        let factors = self.factors(spec)?;
        let mut source = [0u8; 8];
        getrandom::fill(&mut source).map_err(|e| fail(format!("no randomness: {e}")))?;
        let data = self
            .crypto()?
            .external_auth(spec.name, &factors, challenge, &source)
            .map_err(|e| fail(format!("security module: {e}")))?;
        commands::external_authenticate(kid, &data)
            .to_vec()
            .map_err(|e| fail(format!("EXTERNAL AUTHENTICATE: {e}")))
    }

    /// GET CHALLENGE, then the EXTERNAL AUTHENTICATE APDU for it with key `name` (not sent).
    pub fn ext_auth_fresh(&mut self, name: &str) -> Result<Vec<u8>, Verdict> {
        let ch = self.challenge()?;
        self.ext_auth_apdu(name, &ch)
    }

    /// GET CHALLENGE + EXTERNAL AUTHENTICATE with key `name` in the current DF; must answer `9000`.
    pub fn authenticate(&mut self, name: &str) -> Check {
        // Fail early (skip) when there are no keys, before any APDU.
        self.crypto()?;
        let apdu = self.ext_auth_fresh(name)?;
        self.expect(
            &format!("EXTERNAL AUTHENTICATE {name}"),
            &apdu,
            &[StatusWord::OK],
        )?;
        Ok(())
    }

    /// The 4-byte line-protection MAC under key `name` for `challenge` over `parts`.
    pub fn mac(
        &mut self,
        name: &str,
        challenge: &[u8],
        parts: &[&[u8]],
    ) -> Result<[u8; 4], Verdict> {
        let spec = key(name)?;
        let factors = self.factors(spec)?;
        self.crypto()?
            .line_mac(spec.name, &factors, challenge, parts)
            .map_err(|e| fail(format!("security module: {e}")))
    }

    /// A MAC-protected command (`cmd` with its MAC pending, or a plain command that gets CLA |= 04)
    /// with the MAC under `name` for `challenge`.
    pub fn mac_command(
        &mut self,
        cmd: Command,
        name: &str,
        challenge: &[u8],
    ) -> Result<Vec<u8>, Verdict> {
        let cmd = cmd
            .with_mac_appended()
            .map_err(|e| fail(format!("MAC command: {e}")))?;
        let input = cmd.mac_input();
        let parts = input.parts();
        let mac = self.mac(name, challenge, &parts)?;
        cmd.append_mac(&mac)
            .and_then(|c| c.to_vec())
            .map_err(|e| fail(format!("MAC command: {e}")))
    }

    /// GET CHALLENGE, then `cmd` MAC-protected under `name` for that challenge (not sent).
    pub fn mac_command_fresh(&mut self, cmd: Command, name: &str) -> Result<Vec<u8>, Verdict> {
        let ch = self.challenge()?;
        self.mac_command(cmd, name, &ch)
    }

    /// [`Ctx::mac_command_fresh`], sent: the card must answer one of `want`.
    pub fn expect_mac_command(
        &mut self,
        what: &str,
        cmd: Command,
        name: &str,
        want: &[StatusWord],
    ) -> Check {
        let apdu = self.mac_command_fresh(cmd, name)?;
        self.expect(what, &apdu, want)?;
        Ok(())
    }

    /// What the card must answer to INTERNAL AUTHENTICATE `P ‖ S` with key `name`.
    pub fn internal_auth_expected(
        &mut self,
        name: &str,
        p: &[u8; 8],
        s: &[u8; 8],
    ) -> Result<Vec<u8>, Verdict> {
        let spec = key(name)?;
        let factors = self.factors(spec)?;
        self.crypto()?
            .internal_auth_expected(spec.name, &factors, p, s)
            .map_err(|e| fail(format!("security module: {e}")))
    }

    /// `E_SK(Lpin ‖ PIN …)` for PIN RELOAD under key `name` for `challenge`.
    pub fn encrypt_pin_block(
        &mut self,
        name: &str,
        challenge: &[u8],
        pin_ascii: &str,
    ) -> Result<Vec<u8>, Verdict> {
        let spec = key(name)?;
        let factors = self.factors(spec)?;
        let pin = Pin::new(self.profile(), pin_ascii.as_bytes())
            .map_err(|e| fail(format!("PIN {}: {e}", "*".repeat(pin_ascii.len()))))?;
        self.crypto()?
            .encrypt_pin_block(spec.name, &factors, challenge, &pin)
            .map_err(|e| fail(format!("security module: {e}")))
    }

    /// Packed BCD of an ASCII PIN.
    pub fn bcd_of(&self, pin_ascii: &str) -> Result<Vec<u8>, Verdict> {
        Pin::new(self.profile(), pin_ascii.as_bytes())
            .map(|p| p.to_bcd().to_vec())
            .map_err(|e| fail(format!("PIN of {} digits: {e}", pin_ascii.len())))
    }

    /// The `--pin` PIN (ASCII digits), or a skip.
    pub fn holder_pin(&self) -> Result<String, Verdict> {
        self.env
            .pin
            .clone()
            .ok_or_else(|| skip("needs the holder's PIN (--pin)"))
    }

    /// A skip when the card refused the `--pin` PIN earlier in the run (it is never presented
    /// again).
    pub(crate) fn pin_not_refused(&self) -> Check {
        match &self.env.pin_state {
            PinState::Refused(why) => Err(skip(format!(
                "the --pin PIN was refused earlier ({why}); not presented again"
            ))),
            _ => Ok(()),
        }
    }

    /// The `--pin` PIN as packed BCD, or a skip.
    pub fn pin_bcd(&self) -> Result<Vec<u8>, Verdict> {
        let pin = self
            .env
            .pin
            .as_deref()
            .ok_or_else(|| skip("needs the holder's PIN (--pin)"))?;
        let p = Pin::new(self.profile(), pin.as_bytes())
            .map_err(|e| skip(format!("the --pin value is not a valid PIN: {e}")))?;
        Ok(p.to_bcd().to_vec())
    }

    /// VERIFY the `--pin` PIN (the SSSE or a DF below it must be selected). A PIN the card refused
    /// once is never presented again in the run, so the default run can cost at most one try.
    pub fn verify_pin(&mut self) -> Check {
        self.pin_not_refused()?;
        if self.env.pin_state == PinState::Blocked {
            return Err(skip("the PIN was left blocked by an earlier case"));
        }
        let bcd = self.pin_bcd()?;
        let c = commands::verify(&bcd).map_err(|e| fail(format!("VERIFY: {e}")))?;
        let r = self.send_cmd(&c)?;
        if r.sw == StatusWord::OK {
            self.env.pin_state = PinState::Accepted;
            Ok(())
        } else {
            let why = sw_text(r.sw);
            let first = self.env.pin_state == PinState::Unknown;
            self.env.pin_state = PinState::Refused(why.clone());
            if first {
                Err(skip(format!(
                    "the card refused the --pin PIN: {why}; it will not be presented again"
                )))
            } else {
                Err(fail(format!("VERIFY with a PIN accepted earlier: {why}")))
            }
        }
    }

    /// Bring the security state to one that allows reading `ef` (select its DF, then PIN and/or
    /// external authentication as its read rule says); a skip when the means are missing.
    pub fn gain_read(&mut self, ef: &EfSpec) -> Check {
        self.select_df(ef.df)?;
        match ef.read_for(self.version()) {
            ReadRule::Free => Ok(()),
            ReadRule::Never => Err(skip("the file is never readable")),
            ReadRule::Pin => self.verify_pin(),
            ReadRule::Key(k) => self.authenticate(k),
            ReadRule::PinAndKey(k) => {
                self.crypto()?;
                self.pin_bcd()?;
                self.authenticate(k)?;
                self.verify_pin()
            }
            ReadRule::PinOrKey(k) => {
                if self.has_keys() {
                    self.authenticate(k)
                } else if self.env.pin.is_some() {
                    self.verify_pin()
                } else {
                    Err(skip(format!("needs issuer keys ({k}) or the PIN (--pin)")))
                }
            }
        }
    }

    /// READ RECORD `selector` of the current EF (Le 00).
    pub fn read_record(
        &mut self,
        selector: RecordSelector,
        sfi: Option<u8>,
    ) -> Result<Resp, Verdict> {
        let c = commands::read_record(selector, sfi, 256)
            .map_err(|e| fail(format!("READ RECORD: {e}")))?;
        self.send_cmd(&c)
    }

    /// The first unit of `ef` by SFI: record 1 (record files) or `len` bytes at offset 0.
    pub fn read_first_by_sfi(&mut self, ef: &EfSpec, len: u32) -> Result<Resp, Verdict> {
        if ef.structure_for(self.version()).is_record() {
            self.read_record(RecordSelector::ByNumber(1), Some(ef.sfi))
        } else {
            let c = commands::read_binary_sfi(ef.sfi, 0, len)
                .map_err(|e| fail(format!("READ BINARY: {e}")))?;
            self.send_cmd(&c)
        }
    }
}

/// `SSSE/EF05`.
pub fn ef_name(ef: &EfSpec) -> String {
    format!("{}/EF{:02X}", ef.df.name(), ef.fid & 0xFF)
}

/// The key `name` of the specs, or a failure.
pub fn key(name: &str) -> Result<&'static KeySpec, Verdict> {
    key_by_name(name).ok_or_else(|| fail(format!("unknown key {name}")))
}

/// Number of records the spec items fill on `version` (variable / fixed record files).
pub fn record_count(ef: &EfSpec, version: SpecVersion) -> usize {
    match ef.structure_for(version) {
        EfStructure::FixedRecords { records, .. } => usize::from(records),
        EfStructure::Cyclic { .. } | EfStructure::Transparent { .. } => 0,
        EfStructure::VariableRecords { .. } => ef
            .items_for(version)
            .iter()
            .filter(|i| i.versions.contains(version))
            .map(|i| usize::from(i.repeat))
            .sum(),
    }
}

/// The spec tag of every record of `ef` on `version`, in record order.
pub fn record_tags(ef: &EfSpec, version: SpecVersion) -> Vec<&'static sscard_specs::ItemSpec> {
    ef.items_for(version)
        .iter()
        .filter(|i| i.versions.contains(version))
        .flat_map(|i| std::iter::repeat_n(i, usize::from(i.repeat)))
        .collect()
}
